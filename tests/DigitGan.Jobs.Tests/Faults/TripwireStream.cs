namespace DigitGan.Jobs.Tests.Faults;

/// <summary>
/// A seekable read-only stream over bytes that runs <see cref="Trip"/> once, when a reader has read past
/// <paramref name="tripAt"/> bytes (mid-transfer), and counts how often it was read again from the start (retries).
/// </summary>
public sealed class TripwireStream(byte[] bytes, long tripAt, Action trip) : Stream
{
    private readonly MemoryStream _inner = new(bytes, writable: false);
    private bool _tripped;

    public int Rewinds { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        if (!_tripped && _inner.Position > tripAt)
        {
            _tripped = true;
            trip();
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin)
    {
        var position = _inner.Seek(offset, origin);
        if (position == 0 && _tripped)
        {
            Rewinds++;
        }

        return position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
