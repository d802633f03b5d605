using System.Text;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>Turns the digit classifier into the bytes <see cref="ClassifierFiles"/> stores, and loads it back onto a device.</summary>
public static class ClassifierStore
{
    public static byte[] Serialize(DigitClassifier model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>Loads the stored classifier onto <paramref name="device"/>; null when the store has none.</summary>
    public static async Task<(DigitClassifier Model, ClassifierManifest Manifest)?> LoadAsync(IArtifactStore store, Device device, CancellationToken cancellationToken = default)
    {
        if (await ClassifierFiles.ReadAsync(store, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }

        using var init = new TorchSharp.torch.Generator(0);
        var model = new DigitClassifier(init);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(stored.Weights, writable: false));
            model.load(reader);
        }
        catch (Exception ex)
        {
            model.Dispose();
            throw new InvalidDataException($"{RunArtifactLayout.ClassifierWeights} could not be loaded ({ex.Message}). {ClassifierFiles.EnableHint}", ex);
        }

        model.to(device);
        model.eval();
        return (model, stored.Manifest);
    }
}
