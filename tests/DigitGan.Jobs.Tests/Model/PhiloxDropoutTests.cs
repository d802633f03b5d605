using DigitGan.Jobs.Model;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Model;

public sealed class PhiloxDropoutTests
{
    // Random123's known-answer vectors (kat_vectors): counter[4], key[2] -> output[4].
    [Theory]
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Block_matches_the_published_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint x0, uint x1, uint x2, uint x3)
        => Assert.Equal((x0, x1, x2, x3), PhiloxDropout.Block(c0, c1, c2, c3, k0, k1));

    [Fact]
    public void Masks_drop_the_rate_and_scale_what_they_keep()
    {
        using var mask = empty(1_000_003);
        PhiloxDropout.Fill(mask, 42, 0, 0.3, 2);
        var values = mask.data<float>().ToArray();
        var scale = (float)(1 / 0.7);
        Assert.All(values, v => Assert.True(v == 0f || v == scale, $"unexpected mask value {v}"));
        Assert.Equal(0.3, values.Count(v => v == 0f) / (double)values.Length, 0.003);
        Assert.Equal(1.0, values.Average(), 0.005); // inverted dropout keeps the expectation
    }

    [Fact]
    public void A_mask_depends_on_key_and_stream_but_not_on_the_thread_count()
    {
        var one = Fill(7, 0, threads: 1);
        Assert.Equal(one, Fill(7, 0, threads: 2));
        Assert.Equal(one, Fill(7, 0, threads: 5));
        Assert.Equal(one, Fill(7, 0, threads: 2, vectorized: false)); // the scalar path defines the same mask
        Assert.NotEqual(one, Fill(7, 1, threads: 2));
        Assert.NotEqual(one, Fill(8, 0, threads: 2));

        // Neighbouring streams under one key are not shifted copies of each other.
        var other = Fill(7, 1, threads: 1);
        Assert.InRange(one.Zip(other).Count(p => p.First == p.Second) / (double)one.Length, 0.5, 0.66);
    }

    [Fact]
    public void Fill_rejects_tensors_it_cannot_write_in_place()
    {
        using var doubles = empty(8, dtype: ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => PhiloxDropout.Fill(doubles, 1, 0, 0.3, 1));
        using var matrix = empty(4, 6);
        using var transposed = matrix.t();
        Assert.Throws<ArgumentException>(() => PhiloxDropout.Fill(transposed, 1, 0, 0.3, 1));
        using var mask = empty(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => PhiloxDropout.Fill(mask, 1, 0, 1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PhiloxDropout.Fill(mask, 1, 0, -0.1, 1));
    }

    private static float[] Fill(ulong key, uint stream, int threads, bool vectorized = true)
    {
        // An odd length larger than one worker's minimum chunk, so partial chunks and a partial last block occur.
        using var mask = empty(200_001);
        PhiloxDropout.Fill(mask, key, stream, 0.3, threads, vectorized);
        return mask.data<float>().ToArray();
    }
}
