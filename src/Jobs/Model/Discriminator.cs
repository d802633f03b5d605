using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DigitGan.Jobs.Model;

/// <summary>
/// The TF DCGAN tutorial's discriminator: Conv(64, k5, s2) -> LeakyReLU -> Dropout(0.3) -> Conv(128, k5, s2) ->
/// LeakyReLU -> Dropout(0.3) -> Flatten -> Dense(1), returning one logit per image.
/// </summary>
public sealed class Discriminator : Module<Tensor, Tensor>
{
    public const double DropoutRate = 0.3;

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc;
    private readonly torch.Generator dropoutGenerator;

    /// <param name="initGenerator">Draws the initial weights (a CPU generator).</param>
    /// <param name="dropoutGenerator">Draws the dropout masks in training: the run's own generator on the training device.</param>
    public Discriminator(torch.Generator initGenerator, torch.Generator dropoutGenerator) : base(nameof(Discriminator))
    {
        this.dropoutGenerator = dropoutGenerator;
        conv1 = Conv2d(1, 64, kernel_size: 5, stride: 2, padding: 2);
        conv2 = Conv2d(64, 128, kernel_size: 5, stride: 2, padding: 2);
        fc = Linear(7 * 7 * 128, 1);
        RegisterComponents();

        foreach (var (weight, bias) in new[] { (conv1.weight!, conv1.bias!), (conv2.weight!, conv2.bias!), (fc.weight!, fc.bias!) })
        {
            KerasInit.GlorotUniform(weight, initGenerator);
            KerasInit.Zeros(bias);
        }
    }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = Dropout(functional.leaky_relu(conv1.forward(images), Generator.LeakySlope));
        x = Dropout(functional.leaky_relu(conv2.forward(x), Generator.LeakySlope));
        return fc.forward(x.flatten(1)).MoveToOuterDisposeScope();
    }

    // nn.Dropout draws from the process-wide generator; this draws from the run's, so runs stay reproducible
    // whatever else the process does (evaluation, a second run).
    private Tensor Dropout(Tensor x)
    {
        if (!training)
        {
            return x;
        }

        // rand + compare: about 3x faster than bernoulli_ on the CPU (random draws dominate dropout's cost).
        using var keep = rand(x.shape, dtype: x.dtype, device: x.device, generator: dropoutGenerator).ge_(DropoutRate).div_(1 - DropoutRate);
        return x.mul(keep);
    }
}
