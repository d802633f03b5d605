using System.Buffers.Binary;

namespace DigitGan.Shared.Imaging;

/// <summary>
/// Minimal pure-managed GIF89a encoder for (animated) 8-bit grayscale images: a 256-entry grayscale
/// global colour table (index i = gray i), an optional NETSCAPE2.0 infinite-loop extension, and per
/// frame a Graphic Control Extension plus a full-size image, LZW-compressed with minimum code size 8.
/// </summary>
public static class GifEncoder
{
    private const int MinCodeSize = 8;
    private const int ClearCode = 1 << MinCodeSize;  // 256
    private const int EndCode = ClearCode + 1;       // 257
    private const int FirstFreeCode = ClearCode + 2; // 258
    private const int MaxCodeBits = 12;
    private const int MaxCodes = 1 << MaxCodeBits;   // 4096

    /// <param name="output">Destination stream.</param>
    /// <param name="frames">At least one frame, all of the same size (at most 65535x65535).</param>
    /// <param name="delayCentiseconds">Per-frame delay in 1/100 s, 0..65535.</param>
    /// <param name="loop">Whether to add a NETSCAPE2.0 extension that loops forever.</param>
    public static void Write(Stream output, IReadOnlyList<GrayImage> frames, int delayCentiseconds, bool loop = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(frames);
        if (!output.CanWrite)
        {
            throw new ArgumentException("Output stream is not writable.", nameof(output));
        }

        if (frames.Count == 0)
        {
            throw new ArgumentException("At least one frame is required.", nameof(frames));
        }

        if (delayCentiseconds is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentException(
                $"Delay must be in 0..{ushort.MaxValue} centiseconds, got {delayCentiseconds}.",
                nameof(delayCentiseconds));
        }

        GrayImage first = frames[0] ?? throw new ArgumentException("Frame 0 is null.", nameof(frames));
        int width = first.Width;
        int height = first.Height;
        if (width > ushort.MaxValue || height > ushort.MaxValue)
        {
            throw new ArgumentException(
                $"GIF dimensions are limited to {ushort.MaxValue}, got {width}x{height}.", nameof(frames));
        }

        for (int i = 1; i < frames.Count; i++)
        {
            GrayImage f = frames[i] ?? throw new ArgumentException($"Frame {i} is null.", nameof(frames));
            if (f.Width != width || f.Height != height)
            {
                throw new ArgumentException(
                    $"All frames must have the same size: frame 0 is {width}x{height}, frame {i} is {f.Width}x{f.Height}.",
                    nameof(frames));
            }
        }

        // Header + logical screen descriptor.
        Span<byte> buf = stackalloc byte[13];
        "GIF89a"u8.CopyTo(buf);
        BinaryPrimitives.WriteUInt16LittleEndian(buf[6..], (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(buf[8..], (ushort)height);
        buf[10] = 0xF7; // global colour table present, colour resolution 8 bits, unsorted, 2^(7+1) entries
        buf[11] = 0;    // background colour index
        buf[12] = 0;    // pixel aspect ratio: unspecified
        output.Write(buf);

        // Global colour table: 256 grays.
        var palette = new byte[256 * 3];
        for (int i = 0; i < 256; i++)
        {
            palette[(i * 3) + 0] = (byte)i;
            palette[(i * 3) + 1] = (byte)i;
            palette[(i * 3) + 2] = (byte)i;
        }

        output.Write(palette);

        if (loop)
        {
            // Application extension NETSCAPE2.0, sub-block id 1, loop count 0 = forever.
            output.Write([0x21, 0xFF, 0x0B]);
            output.Write("NETSCAPE2.0"u8);
            output.Write([0x03, 0x01, 0x00, 0x00, 0x00]);
        }

        var lzw = new LzwWriter(output);
        Span<byte> gce = stackalloc byte[8];
        Span<byte> descriptor = stackalloc byte[10];
        foreach (GrayImage frame in frames)
        {
            // Graphic Control Extension: disposal 1 (leave in place), no transparency.
            gce[0] = 0x21;
            gce[1] = 0xF9;
            gce[2] = 0x04;
            gce[3] = 0x04;
            BinaryPrimitives.WriteUInt16LittleEndian(gce[4..], (ushort)delayCentiseconds);
            gce[6] = 0; // transparent colour index (unused)
            gce[7] = 0; // block terminator
            output.Write(gce);

            // Image descriptor covering the whole canvas, no local colour table, not interlaced.
            descriptor.Clear();
            descriptor[0] = 0x2C;
            BinaryPrimitives.WriteUInt16LittleEndian(descriptor[5..], (ushort)width);
            BinaryPrimitives.WriteUInt16LittleEndian(descriptor[7..], (ushort)height);
            output.Write(descriptor);

            output.WriteByte(MinCodeSize);
            lzw.Encode(frame.Pixels);
        }

        output.WriteByte(0x3B);
    }

    /// <summary>
    /// Variable-length-code LZW compressor (LSB-first bit packing) that writes GIF data sub-blocks
    /// (at most 255 bytes each) followed by the zero-length block terminator.
    /// </summary>
    private sealed class LzwWriter(Stream output)
    {
        private readonly Stream output = output;
        private readonly Dictionary<int, int> table = new(MaxCodes);
        private readonly byte[] block = new byte[256];
        private int blockLength;
        private uint bitBuffer;
        private int bitCount;
        private int codeSize;
        private int nextCode;

        public void Encode(ReadOnlySpan<byte> pixels)
        {
            blockLength = 0;
            bitBuffer = 0;
            bitCount = 0;
            ResetTable();
            WriteCode(ClearCode);

            int prefix = pixels[0];
            for (int i = 1; i < pixels.Length; i++)
            {
                byte c = pixels[i];
                int key = (prefix << 8) | c;
                if (table.TryGetValue(key, out int code))
                {
                    prefix = code;
                    continue;
                }

                EmitCode(prefix);
                if (nextCode < MaxCodes)
                {
                    table[key] = nextCode++;
                }
                else
                {
                    // Table full: tell the decoder to start over (sent at the current 12-bit width).
                    WriteCode(ClearCode);
                    ResetTable();
                }

                prefix = c;
            }

            EmitCode(prefix);
            WriteCode(EndCode);

            if (bitCount > 0)
            {
                PutByte((byte)bitBuffer);
                bitBuffer = 0;
                bitCount = 0;
            }

            FlushBlock();
            output.WriteByte(0); // block terminator
        }

        private void ResetTable()
        {
            table.Clear();
            codeSize = MinCodeSize + 1;
            nextCode = FirstFreeCode;
        }

        /// <summary>
        /// Writes a data code, then widens the code size once the entry about to be added (nextCode)
        /// no longer fits: the decoder, one entry behind, widens after reading this same code.
        /// </summary>
        private void EmitCode(int code)
        {
            WriteCode(code);
            if (nextCode >= (1 << codeSize) && codeSize < MaxCodeBits)
            {
                codeSize++;
            }
        }

        private void WriteCode(int code)
        {
            bitBuffer |= (uint)code << bitCount;
            bitCount += codeSize;
            while (bitCount >= 8)
            {
                PutByte((byte)bitBuffer);
                bitBuffer >>= 8;
                bitCount -= 8;
            }
        }

        private void PutByte(byte b)
        {
            block[++blockLength] = b;
            if (blockLength == 255)
            {
                FlushBlock();
            }
        }

        private void FlushBlock()
        {
            if (blockLength == 0)
            {
                return;
            }

            block[0] = (byte)blockLength;
            output.Write(block, 0, blockLength + 1);
            blockLength = 0;
        }
    }
}
