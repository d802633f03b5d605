using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>
/// Dropout masks from Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), a
/// counter-based generator: element i of a mask is a pure function of (key, stream, i). libtorch fills a CPU tensor
/// from its Mersenne Twister one element at a time on one thread (measured: about 5 ns an element, 48 ms of every
/// 1.0-s shared train step); this fills it on every libtorch thread at once, and the mask does not depend on how many
/// threads fill it.
/// </summary>
public static class PhiloxDropout
{
    private const uint M0 = 0xD2511F53;
    private const uint M1 = 0xCD9E8D57;
    private const uint W0 = 0x9E3779B9;
    private const uint W1 = 0xBB67AE85;

    /// <summary>Elements that eight Philox blocks fill; workers start on a group boundary.</summary>
    private const int GroupSize = 32;

    /// <summary>Elements a worker fills at least (a multiple of <see cref="GroupSize"/>).</summary>
    private const int MinChunk = 1 << 16;

    /// <summary>Philox4x32-10 of one 128-bit counter under one 64-bit key.</summary>
    public static (uint X0, uint X1, uint X2, uint X3) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (var round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }

            var p0 = (ulong)M0 * c0;
            var p1 = (ulong)M1 * c2;
            (c0, c1, c2, c3) = ((uint)(p1 >> 32) ^ c1 ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c3 ^ k1, (uint)p0);
        }

        return (c0, c1, c2, c3);
    }

    /// <summary>
    /// Fills <paramref name="mask"/> (a contiguous float32 CPU tensor) with 0 where an element is dropped (probability
    /// <paramref name="dropRate"/>) and 1 / (1 - dropRate) where it is kept, as inverted dropout does. Elements come in
    /// groups of 32: element 32g + 8j + l is output word j of the block with counter (8g + l, stream) under
    /// <paramref name="key"/>, a layout that lets eight blocks run side by side in AVX2 registers.
    /// </summary>
    public static void Fill(Tensor mask, ulong key, uint stream, double dropRate, int threads) => Fill(mask, key, stream, dropRate, threads, vectorized: Avx2.IsSupported);

    /// <summary>As <see cref="Fill(Tensor, ulong, uint, double, int)"/>; <paramref name="vectorized"/> false forces the scalar path (tests compare the two).</summary>
    public static void Fill(Tensor mask, ulong key, uint stream, double dropRate, int threads, bool vectorized)
    {
        if (mask.dtype != ScalarType.Float32 || mask.device_type != DeviceType.CPU || !mask.is_contiguous())
        {
            throw new ArgumentException("The mask must be a contiguous float32 CPU tensor.", nameof(mask));
        }

        if (!(dropRate >= 0 && dropRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(dropRate), dropRate, "The drop rate must be at least 0 and below 1.");
        }

        var count = mask.numel();
        if (count > int.MaxValue / sizeof(float))
        {
            throw new ArgumentException("The mask is too large for one fill.", nameof(mask));
        }

        var filler = new Filler(key, stream, (uint)Math.Ceiling(dropRate * 4294967296.0), (float)(1.0 / (1.0 - dropRate)), vectorized && Avx2.IsSupported);
        var chunk = (int)Math.Max(MinChunk, ((count / Math.Max(1, threads)) + GroupSize - 1) / GroupSize * GroupSize);
        var chunks = (int)((count + chunk - 1) / chunk);
        if (chunks <= 1)
        {
            filler.Fill(MemoryMarshal.Cast<byte, float>(mask.bytes), 0);
            return;
        }

        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            var all = MemoryMarshal.Cast<byte, float>(mask.bytes);
            var start = part * chunk;
            filler.Fill(all.Slice(start, Math.Min(chunk, all.Length - start)), start);
        });
    }

    private readonly record struct Filler(ulong Key, uint Stream, uint Threshold, float Scale, bool Vectorized)
    {
        /// <summary>Fills <paramref name="destination"/>, whose first element is element <paramref name="first"/> (a multiple of 32) of the mask.</summary>
        public void Fill(Span<float> destination, long first)
        {
            var group = (ulong)first / GroupSize;
            var done = 0;
            if (Vectorized)
            {
                for (; done + GroupSize <= destination.Length; done += GroupSize, group++)
                {
                    FillGroupAvx2(destination.Slice(done, GroupSize), group);
                }
            }

            for (; done < destination.Length; done += GroupSize, group++)
            {
                var slice = destination[done..Math.Min(destination.Length, done + GroupSize)];
                for (var lane = 0; lane < 8; lane++)
                {
                    var block = (group * 8) + (ulong)lane;
                    var (x0, x1, x2, x3) = Block((uint)block, (uint)(block >> 32), Stream, 0, (uint)Key, (uint)(Key >> 32));
                    Set(slice, lane, x0);
                    Set(slice, 8 + lane, x1);
                    Set(slice, 16 + lane, x2);
                    Set(slice, 24 + lane, x3);
                }
            }
        }

        private void Set(Span<float> slice, int index, uint word)
        {
            if (index < slice.Length)
            {
                slice[index] = word >= Threshold ? Scale : 0f;
            }
        }

        private void FillGroupAvx2(Span<float> destination, ulong group)
        {
            var block = Vector256.Create(group * 8) + Vector256.Create(0UL, 1, 2, 3);
            var blockHigh = Vector256.Create(group * 8) + Vector256.Create(4UL, 5, 6, 7);
            var c0 = Vector256.Narrow(block, blockHigh);
            var c1 = Vector256.Narrow(block >>> 32, blockHigh >>> 32);
            var c2 = Vector256.Create(Stream);
            var c3 = Vector256<uint>.Zero;
            var k0 = Vector256.Create((uint)Key);
            var k1 = Vector256.Create((uint)(Key >> 32));
            for (var round = 0; round < 10; round++)
            {
                if (round > 0)
                {
                    k0 += Vector256.Create(W0);
                    k1 += Vector256.Create(W1);
                }

                var (hi0, lo0) = MulHiLo(c0, M0);
                var (hi1, lo1) = MulHiLo(c2, M1);
                (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
            }

            var threshold = Vector256.Create(Threshold);
            var scale = Vector256.Create(Scale);
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(c0, threshold).AsSingle(), scale, Vector256<float>.Zero).CopyTo(destination);
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(c1, threshold).AsSingle(), scale, Vector256<float>.Zero).CopyTo(destination[8..]);
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(c2, threshold).AsSingle(), scale, Vector256<float>.Zero).CopyTo(destination[16..]);
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(c3, threshold).AsSingle(), scale, Vector256<float>.Zero).CopyTo(destination[24..]);
        }

        /// <summary>The high and low 32 bits of each lane times <paramref name="multiplier"/> (vpmuludq on even, then odd lanes).</summary>
        private static (Vector256<uint> High, Vector256<uint> Low) MulHiLo(Vector256<uint> value, uint multiplier)
        {
            var m = Vector256.Create((ulong)multiplier).AsUInt32();
            var even = Avx2.Multiply(value, m);
            var odd = Avx2.Multiply((value.AsUInt64() >>> 32).AsUInt32(), m);
            var low = Avx2.Blend(even.AsUInt32(), (odd << 32).AsUInt32(), 0b1010_1010);
            var high = Avx2.Blend((even >>> 32).AsUInt32(), odd.AsUInt32(), 0b1010_1010);
            return (high, low);
        }
    }
}
