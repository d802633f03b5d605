namespace DigitGan.Shared.Imaging;

/// <summary>
/// An 8-bit grayscale image stored row-major (index = y * Width + x); 0 is black, 255 is white.
/// </summary>
public sealed class GrayImage
{
    /// <summary>Creates an image over <paramref name="pixels"/> (not copied).</summary>
    public GrayImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0)
        {
            throw new ArgumentException($"Width must be positive, got {width}.", nameof(width));
        }

        if (height <= 0)
        {
            throw new ArgumentException($"Height must be positive, got {height}.", nameof(height));
        }

        long expected = (long)width * height;
        if (expected > Array.MaxLength)
        {
            throw new ArgumentException($"Image size {width}x{height} is too large.", nameof(width));
        }

        if (pixels.Length != expected)
        {
            throw new ArgumentException(
                $"Pixel buffer length {pixels.Length} does not match {width}x{height} = {expected}.",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Creates an all-black image.</summary>
    public GrayImage(int width, int height)
        : this(width, height, new byte[CheckedArea(width, height)])
    {
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major pixel values, length Width * Height.</summary>
    public byte[] Pixels { get; }

    public byte this[int x, int y]
    {
        get
        {
            CheckCoordinates(x, y);
            return Pixels[(y * Width) + x];
        }

        set
        {
            CheckCoordinates(x, y);
            Pixels[(y * Width) + x] = value;
        }
    }

    /// <summary>
    /// Maps values in [-1, 1] to [0, 255] as round((v + 1) * 127.5) with midpoints rounded away from zero
    /// (so 0 maps to 128), clamping out-of-range values; NaN maps to 0.
    /// </summary>
    public static GrayImage FromSignedUnit(ReadOnlySpan<float> values, int width, int height)
    {
        int area = CheckedArea(width, height);
        if (values.Length != area)
        {
            throw new ArgumentException(
                $"Value count {values.Length} does not match {width}x{height} = {area}.", nameof(values));
        }

        var pixels = new byte[area];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = SignedUnitToByte(values[i]);
        }

        return new GrayImage(width, height, pixels);
    }

    /// <summary>
    /// Lays <paramref name="cells"/> (all the same size) out in row-major order in a grid of
    /// <paramref name="columns"/> columns, each pixel replicated <paramref name="scale"/> times in both
    /// directions, with <paramref name="gap"/> pixels of <paramref name="gapValue"/> between cells and
    /// around the border. Unused trailing cells of the last row are also filled with <paramref name="gapValue"/>.
    /// Result size: columns * w * scale + (columns + 1) * gap by rows * h * scale + (rows + 1) * gap,
    /// where rows = ceil(cells.Count / columns).
    /// </summary>
    public static GrayImage Grid(IReadOnlyList<GrayImage> cells, int columns, int scale, int gap, byte gapValue = 0)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0)
        {
            throw new ArgumentException("At least one cell is required.", nameof(cells));
        }

        if (columns <= 0)
        {
            throw new ArgumentException($"Columns must be positive, got {columns}.", nameof(columns));
        }

        if (scale <= 0)
        {
            throw new ArgumentException($"Scale must be positive, got {scale}.", nameof(scale));
        }

        if (gap < 0)
        {
            throw new ArgumentException($"Gap must not be negative, got {gap}.", nameof(gap));
        }

        GrayImage first = cells[0] ?? throw new ArgumentException("Cell 0 is null.", nameof(cells));
        int cellW = first.Width;
        int cellH = first.Height;
        for (int i = 1; i < cells.Count; i++)
        {
            GrayImage c = cells[i] ?? throw new ArgumentException($"Cell {i} is null.", nameof(cells));
            if (c.Width != cellW || c.Height != cellH)
            {
                throw new ArgumentException(
                    $"All cells must have the same size: cell 0 is {cellW}x{cellH}, cell {i} is {c.Width}x{c.Height}.",
                    nameof(cells));
            }
        }

        int rows = (cells.Count + columns - 1) / columns;
        long scaledW = (long)cellW * scale;
        long scaledH = (long)cellH * scale;
        long outW = (columns * scaledW) + ((columns + 1L) * gap);
        long outH = (rows * scaledH) + ((rows + 1L) * gap);
        if (outW > int.MaxValue || outH > int.MaxValue || outW * outH > Array.MaxLength)
        {
            throw new ArgumentException($"Grid size {outW}x{outH} is too large.", nameof(cells));
        }

        int width = (int)outW;
        int height = (int)outH;
        var pixels = new byte[width * height];
        if (gapValue != 0)
        {
            pixels.AsSpan().Fill(gapValue);
        }

        for (int i = 0; i < cells.Count; i++)
        {
            GrayImage cell = cells[i];
            int originX = gap + ((i % columns) * (int)(scaledW + gap));
            int originY = gap + ((i / columns) * (int)(scaledH + gap));
            for (int y = 0; y < cellH; y++)
            {
                ReadOnlySpan<byte> src = cell.Pixels.AsSpan(y * cellW, cellW);
                int firstRow = originY + (y * scale);
                Span<byte> dst = pixels.AsSpan((firstRow * width) + originX, (int)scaledW);
                for (int x = 0; x < cellW; x++)
                {
                    dst.Slice(x * scale, scale).Fill(src[x]);
                }

                for (int r = 1; r < scale; r++)
                {
                    dst.CopyTo(pixels.AsSpan(((firstRow + r) * width) + originX, (int)scaledW));
                }
            }
        }

        return new GrayImage(width, height, pixels);
    }

    internal static byte SignedUnitToByte(float v)
    {
        if (float.IsNaN(v))
        {
            return 0;
        }

        float scaled = MathF.Round((v + 1f) * 127.5f, MidpointRounding.AwayFromZero);
        return (byte)Math.Clamp(scaled, 0f, 255f);
    }

    private static int CheckedArea(int width, int height)
    {
        if (width <= 0)
        {
            throw new ArgumentException($"Width must be positive, got {width}.", nameof(width));
        }

        if (height <= 0)
        {
            throw new ArgumentException($"Height must be positive, got {height}.", nameof(height));
        }

        long area = (long)width * height;
        if (area > Array.MaxLength)
        {
            throw new ArgumentException($"Image size {width}x{height} is too large.", nameof(width));
        }

        return (int)area;
    }

    private void CheckCoordinates(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(
                nameof(x), $"Pixel ({x}, {y}) is outside the {Width}x{Height} image.");
        }
    }
}
