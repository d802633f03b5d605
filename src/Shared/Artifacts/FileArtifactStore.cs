using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace DigitGan.Shared.Artifacts;

/// <summary>
/// The embedded default store: artifacts are files under a root folder. Writes go to a temp file and are renamed
/// into place (readers never see half a file); conditional writes compare the ETag under an exclusive lock file,
/// so concurrent writers in this or other processes cannot overwrite each other.
/// </summary>
public sealed class FileArtifactStore : IArtifactStore
{
    private const string TempFolder = ".tmp";
    private const string LockFolder = ".locks";
    private readonly string _root;

    /// <summary>A temp file this old belongs to a write that crashed: no live write takes this long.</summary>
    public static readonly TimeSpan StaleTempAge = TimeSpan.FromHours(1);

    public FileArtifactStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(_root, TempFolder));
        Directory.CreateDirectory(Path.Combine(_root, LockFolder));
        SweepStaleTempFiles(StaleTempAge, delete: true);
    }

    /// <summary>The temp files of writes older than <paramref name="olderThan"/> (crashed ones), deleted when asked; their names.</summary>
    public IReadOnlyList<string> SweepStaleTempFiles(TimeSpan olderThan, bool delete)
    {
        var stale = new List<string>();
        foreach (var file in new DirectoryInfo(Path.Combine(_root, TempFolder)).EnumerateFiles())
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc >= olderThan)
            {
                stale.Add($"{TempFolder}/{file.Name}");
                if (delete)
                {
                    TryDelete(file.FullName);
                }
            }
        }

        return stale;
    }

    /// <summary>The lock files older than <paramref name="olderThan"/> whose names are not in <paramref name="live"/>, removed when asked unless held; their names.</summary>
    public IReadOnlyList<string> SweepLockFiles(IReadOnlySet<string> live, TimeSpan olderThan, bool delete)
    {
        var orphans = new List<string>();
        foreach (var file in new DirectoryInfo(Path.Combine(_root, LockFolder)).EnumerateFiles())
        {
            if (live.Contains(file.Name) || DateTime.UtcNow - file.LastWriteTimeUtc < olderThan)
            {
                continue;
            }

            try
            {
                // Deleted while we hold it, so no holder is cut off; a holder makes the open fail and the file stays.
                using (new FileStream(file.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None))
                {
                    if (delete)
                    {
                        File.Delete(file.FullName);
                    }
                }

                orphans.Add($"{LockFolder}/{file.Name}");
            }
            catch (IOException)
            {
            }
        }

        return orphans;
    }

    /// <summary>The lock file name that conditional writes of <paramref name="path"/> use.</summary>
    public static string WriteLockName(string path) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..32];

    /// <summary>The lock file name that the lease named <paramref name="path"/> uses.</summary>
    public static string LeaseLockName(string path) => "lease-" + WriteLockName(path);

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another process swept it first, or it cannot be removed: the next sweep tries again.
        }
    }

    public string Root => _root;

    public string Description => _root;

    public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        try
        {
            // Open first, then stat the open handle's file: a concurrent rename replaces the name, not our handle.
            var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
            var info = Describe(path, File.GetLastWriteTimeUtc(stream.SafeFileHandle), RandomAccess.GetLength(stream.SafeFileHandle));
            return Task.FromResult<ArtifactReader?>(new ArtifactReader(stream, info));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<ArtifactReader?>(null);
        }
    }

    public async Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        var temp = Path.Combine(_root, TempFolder, $"{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            // Stamp every write with a distinct modification time (the ETag is time + length), however coarse the
            // file system's own clock is; the ETag is known before the rename, so no later writer can change it.
            File.SetLastWriteTimeUtc(temp, NextWriteStamp());
            var etag = Describe(path, new FileInfo(temp)).ETag;
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (condition is null)
            {
                MoveIntoPlace(temp, full);
                return etag;
            }

            using (await AcquireLockAsync(path, cancellationToken).ConfigureAwait(false))
            {
                var current = new FileInfo(full);
                if (condition.IfNotExists && current.Exists)
                {
                    throw new ArtifactConflictException(path, "it already exists");
                }

                if (condition.IfMatchETag is { } expected)
                {
                    if (!current.Exists)
                    {
                        throw new ArtifactConflictException(path, "it no longer exists");
                    }

                    if (Describe(path, current).ETag != expected)
                    {
                        throw new ArtifactConflictException(path, "its ETag changed");
                    }
                }

                MoveIntoPlace(temp, full);
                return etag;
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await using (var file = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, 81920, useAsync: true))
        {
            await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        // The ETag is time + length: stamp the append like a write, so the ETag changes however coarse the clock is.
        File.SetLastWriteTimeUtc(full, NextWriteStamp());
    }

    // A delete of the folder's last file removes the folder; if that raced this write, create it again once.
    private static void MoveIntoPlace(string temp, string full)
    {
        try
        {
            File.Move(temp, full, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.Move(temp, full, overwrite: true);
        }
    }

    public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(FullPath(path));
        return Task.FromResult(info.Exists ? Describe(path, info) : null);
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Start at the deepest folder the prefix names, then filter by the full prefix (blob semantics). The folder
        // part must be a valid artifact path, so a prefix can never reach outside the root ("../", "/etc/").
        var lastSlash = prefix.LastIndexOf('/');
        var folder = lastSlash < 0 ? _root : Path.Combine(_root, ArtifactPath.Validate(prefix[..lastSlash]));
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var paths = new List<(string Path, FileInfo File)>();
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.StartsWith(prefix, StringComparison.Ordinal) && !relative.StartsWith(TempFolder + "/", StringComparison.Ordinal)
                && !relative.StartsWith(LockFolder + "/", StringComparison.Ordinal))
            {
                paths.Add((relative, file));
            }
        }

        paths.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (var (path, file) in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            file.Refresh();
            if (file.Exists)
            {
                yield return Describe(path, file);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = FullPath(path);
        if (!File.Exists(full))
        {
            return Task.FromResult(false);
        }

        File.Delete(full);
        RemoveEmptyFolders(Path.GetDirectoryName(full)!);
        return Task.FromResult(true);
    }

    /// <summary>Removes <paramref name="folder"/> and its parents up to the root while they are empty, so deleted runs leave no folders.</summary>
    private void RemoveEmptyFolders(string folder)
    {
        while (folder.Length > _root.Length && folder.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }

                Directory.Delete(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return; // a concurrent write filled it again, or another delete removed it first
            }

            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private string FullPath(string path) => Path.Combine(_root, ArtifactPath.Validate(path));

    private static long _lastStampTicks;

    /// <summary>Now, but strictly after every stamp this process handed out before.</summary>
    private static DateTime NextWriteStamp()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastStampTicks);
            var next = Math.Max(DateTime.UtcNow.Ticks, last + 1);
            if (Interlocked.CompareExchange(ref _lastStampTicks, next, last) == last)
            {
                return new DateTime(next, DateTimeKind.Utc);
            }
        }
    }

    // The modification time set by PutAsync (distinct per write) and the size; renames keep the time.
    private static ArtifactInfo Describe(string path, FileInfo file) => Describe(path, file.LastWriteTimeUtc, file.Length);

    private static ArtifactInfo Describe(string path, DateTime lastWriteUtc, long length) =>
        new(path, length, $"\"{lastWriteUtc.Ticks:x}-{length:x}\"", new DateTimeOffset(lastWriteUtc, TimeSpan.Zero));

    public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default)
    {
        ArtifactPath.Validate(path);
        var name = LeaseLockName(path);
        try
        {
            // Held open with FileShare.None: an exclusive advisory lock that the OS drops when the process dies.
            return Task.FromResult<IArtifactLease?>(new FileLease(new FileStream(Path.Combine(_root, LockFolder, name), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None)));
        }
        catch (IOException)
        {
            return Task.FromResult<IArtifactLease?>(null);
        }
    }

    private async Task<IDisposable> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var lockPath = Path.Combine(_root, LockFolder, WriteLockName(path));
        var delay = TimeSpan.FromMilliseconds(1);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock on Unix, honoured by other .NET processes too.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (attempt < 2000)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 20));
            }
        }
    }
}
