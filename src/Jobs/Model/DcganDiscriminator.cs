using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DigitGan.Jobs.Model;

/// <summary>
/// The TF DCGAN tutorial's discriminator: Conv(64, k5, s2) -> LeakyReLU -> Dropout(0.3) -> Conv(128, k5, s2) ->
/// LeakyReLU -> Dropout(0.3) -> Flatten -> Dense(1), returning one logit per image.
/// </summary>
public sealed class DcganDiscriminator : Module<Tensor, Tensor>
{
    public const double DropoutRate = 0.3;
    private const int Kernel = 5;
    private const int Stride = 2;
    private const int Padding = 2;

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc;
    private readonly torch.Generator dropoutGenerator;

    // Spectral normalisation keeps one power-iteration vector per weight as a buffer (spectral_u1..3), so checkpoints
    // keep them and .to(device) moves them; without it the module's state is exactly the tutorial's.
    private readonly bool spectralNorm;

    /// <param name="initGenerator">Draws the initial weights (a CPU generator).</param>
    /// <param name="dropoutGenerator">Draws the dropout masks in training: the run's own generator on the training device.</param>
    /// <param name="spectralNorm">Divide each weight by its largest singular value (Miyato et al. 2018), estimated by one power iteration per pass.</param>
    public DcganDiscriminator(torch.Generator initGenerator, torch.Generator dropoutGenerator, bool spectralNorm = false) : base(nameof(DcganDiscriminator))
    {
        this.dropoutGenerator = dropoutGenerator;
        conv1 = Conv2d(1, 64, kernel_size: Kernel, stride: Stride, padding: Padding); // computed by SingleChannelConvolutions
        conv2 = Conv2d(64, 128, kernel_size: Kernel, stride: Stride, padding: Padding);
        fc = Linear(7 * 7 * 128, 1);
        RegisterComponents();

        foreach (var (weight, bias) in new[] { (conv1.weight!, conv1.bias!), (conv2.weight!, conv2.bias!), (fc.weight!, fc.bias!) })
        {
            KerasInit.GlorotUniform(weight, initGenerator);
            KerasInit.Zeros(bias);
        }

        this.spectralNorm = spectralNorm;
        if (spectralNorm)
        {
            var weights = new[] { conv1.weight!, conv2.weight!, fc.weight! };
            for (var i = 0; i < weights.Length; i++)
            {
                register_buffer(SpectralBuffer(i), UnitVector(randn([weights[i].shape[0]], generator: initGenerator)));
            }
        }
    }

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();

        // One key from the run's generator per pass; each dropout layer is its own Philox stream under it.
        var key = training && images.device_type == DeviceType.CPU
            ? (ulong)randint(0, long.MaxValue, [1], dtype: ScalarType.Int64, generator: dropoutGenerator).item<long>()
            : 0;
        var x = SingleChannelConvolutions.Conv2d(Compute(images), Compute(Weight(conv1.weight!, 0)), Compute(conv1.bias!), Stride, Padding); // channels-last out
        x = Dropout(functional.leaky_relu(x, DcganGenerator.LeakySlope), key, 0);
        x = functional.conv2d(x, Compute(Weight(conv2.weight!, 1)), Compute(conv2.bias!), strides: [Stride, Stride], padding: [Padding, Padding]);
        x = Dropout(functional.leaky_relu(x, DcganGenerator.LeakySlope), key, 1);

        // The dense layer to the logit stays float32 in every precision: it is 0.1% of the pass's arithmetic, and the
        // logits are what the losses read.
        return functional.linear(x.flatten(1).to(ScalarType.Float32), Weight(fc.weight!, 2), fc.bias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The number format of the two convolutions in training: Float32, or BFloat16 with float32 weights cast on the
    /// way in (gradients flow back to them in float32). The logits are float32 either way; inference mode computes
    /// in float32.
    /// </summary>
    public ScalarType ComputeType { get; set; } = ScalarType.Float32;

    private Tensor Compute(Tensor x) => ComputePrecision.ForPass(x, ComputeType, training);

    /// <summary>
    /// The weight a pass uses: as it is, or divided by its spectral norm. In training, one power iteration moves the
    /// stored vector u first (as PyTorch's spectral_norm does); gradients flow through W but not through u and v.
    /// </summary>
    private Tensor Weight(Tensor weight, int index)
    {
        if (!spectralNorm)
        {
            return weight;
        }

        var matrix = weight.view(weight.shape[0], -1);
        var stored = get_buffer(SpectralBuffer(index))!;
        Tensor u, v;
        using (no_grad())
        {
            v = UnitVector(matrix.t().mv(stored));
            if (training)
            {
                stored.copy_(UnitVector(matrix.mv(v)));
            }

            u = stored.clone();
        }

        var sigma = u.dot(matrix.mv(v));
        return weight / sigma;
    }

    private static string SpectralBuffer(int index) => $"spectral_u{index + 1}";

    private static Tensor UnitVector(Tensor vector) => vector / (vector.norm() + 1e-12);

    // nn.Dropout draws from the process-wide generator; these draw from the run's, so runs stay reproducible
    // whatever else the process does (evaluation, a second run).
    private Tensor Dropout(Tensor x, ulong key, uint stream)
    {
        if (!training)
        {
            return x;
        }

        if (x.device_type == DeviceType.CPU)
        {
            // The mask in the activations' channels-last memory order: NHWC, viewed as [N, C, H, W].
            using var nhwc = empty(x.shape[0], x.shape[2], x.shape[3], x.shape[1]);
            PhiloxDropout.Fill(nhwc, key, stream, DropoutRate, get_num_threads());
            return x.mul(Compute(nhwc).permute(0, 3, 1, 2));
        }

        // On a GPU libtorch's generator is fast: uniform + compare (bernoulli_ is slower).
        using var keep = empty_like(x).uniform_(0, 1, dropoutGenerator).ge_(DropoutRate).div_(1 - DropoutRate);
        return x.mul(keep);
    }
}
