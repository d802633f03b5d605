using DigitGan.Jobs.Model;
using DigitGan.Shared.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DigitGan.Jobs.Evaluation;

/// <summary>
/// The small MNIST CNN that scores generated digits: Conv(32, k5) -> BN -> ReLU -> MaxPool -> Conv(64, k3) -> BN
/// -> ReLU -> MaxPool -> Dense(128) -> BN -> ReLU (the 128-d feature layer FID is computed in) -> Dropout(0.3)
/// -> Dense(10). Input: [N, 1, 28, 28] scaled to [-1, 1], exactly as the GAN trains and generates.
/// </summary>
public sealed class DigitClassifier : Module<Tensor, Tensor>
{
    public const int FeatureDim = ClassifierFiles.FeatureDim;
    public const double DropoutRate = 0.3;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Linear fc1;
    private readonly BatchNorm1d bn3;
    private readonly Linear fc2;
    private readonly torch.Generator? dropoutGenerator;

    /// <param name="initGenerator">Draws the initial weights (CPU).</param>
    /// <param name="dropoutGenerator">Draws dropout masks while training; null for a classifier that only scores.</param>
    public DigitClassifier(torch.Generator initGenerator, torch.Generator? dropoutGenerator = null) : base(nameof(DigitClassifier))
    {
        this.dropoutGenerator = dropoutGenerator;
        conv1 = Conv2d(1, 32, kernel_size: 5, padding: 2, bias: false);
        bn1 = BatchNorm2d(32);
        conv2 = Conv2d(32, 64, kernel_size: 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(64);
        fc1 = Linear(64 * 7 * 7, FeatureDim, hasBias: false);
        bn3 = BatchNorm1d(FeatureDim);
        fc2 = Linear(FeatureDim, 10);
        RegisterComponents();
        foreach (var weight in new[] { conv1.weight!, conv2.weight!, fc1.weight!, fc2.weight! })
        {
            KerasInit.GlorotUniform(weight, initGenerator);
        }

        KerasInit.Zeros(fc2.bias!);
    }

    /// <summary>The penultimate layer: 128 features per image.</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = functional.max_pool2d(functional.relu(bn1.forward(conv1.forward(images))), 2);
        x = functional.max_pool2d(functional.relu(bn2.forward(conv2.forward(x))), 2);
        return functional.relu(bn3.forward(fc1.forward(x.flatten(1)))).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits from features.</summary>
    public Tensor Logits(Tensor features)
    {
        if (!training || dropoutGenerator is null)
        {
            return fc2.forward(features);
        }

        using var keep = rand(features.shape, dtype: features.dtype, device: features.device, generator: dropoutGenerator).ge_(DropoutRate).div_(1 - DropoutRate);
        using var dropped = features.mul(keep);
        return fc2.forward(dropped);
    }

    public override Tensor forward(Tensor images)
    {
        using var features = Features(images);
        return Logits(features);
    }
}
