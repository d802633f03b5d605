using System.Text;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Artifacts;

/// <summary>The store contract on a local folder, plus what is particular to files (temp files, lock files, the root).</summary>
public sealed class FileArtifactStoreTests : ArtifactStoreContractTests, IDisposable
{
    private readonly TempDirectory _temp = new("store");
    private readonly FileArtifactStore _store;

    public FileArtifactStoreTests() => _store = new FileArtifactStore(_temp.Path);

    protected override IArtifactStore Store => _store;

    protected override IArtifactStore OpenSecondStore() => new FileArtifactStore(_temp.Path);

    protected override void AssertNoLeftovers() => Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_temp.Path, ".tmp")));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Deleting_the_last_file_of_a_folder_removes_the_empty_folders_up_to_the_root()
    {
        await _store.PutTextAsync("runs/r1/checkpoints/latest.ckpt", "x", cancellationToken: Ct);
        await _store.PutTextAsync("runs/r1/manifest.json", "{}", cancellationToken: Ct);
        await _store.PutTextAsync("runs/r2/manifest.json", "{}", cancellationToken: Ct);

        await _store.DeleteAsync("runs/r1/checkpoints/latest.ckpt", Ct);
        Assert.False(Directory.Exists(_temp.Combine("runs", "r1", "checkpoints")));
        Assert.True(Directory.Exists(_temp.Combine("runs", "r1")));

        await _store.DeleteAsync("runs/r1/manifest.json", Ct);
        Assert.False(Directory.Exists(_temp.Combine("runs", "r1")));
        Assert.True(Directory.Exists(_temp.Combine("runs", "r2")));
        await _store.PutTextAsync("runs/r1/manifest.json", "{}", cancellationToken: Ct);
        Assert.Equal("{}", (await _store.GetTextAsync("runs/r1/manifest.json", Ct))!.Value.Text);
    }

    [Fact]
    public async Task ListAsync_ReturnsMatchingPathsInOrdinalOrder_PrefixMayEndMidName()
    {
        string[] paths = ["runs/b/z", "runs/ab/x", "runs/a/y", "runs/a/B", "runs/a-c/x", "runsfoo", "other/a/y", "top"];
        foreach (var path in paths)
        {
            await _store.PutTextAsync(path, path, cancellationToken: Ct);
        }

        // Internal files: a conditional write leaves a lock file, and a crashed writer may leave a temp file.
        await _store.PutTextAsync("runs/a/locked", "x", WriteCondition.IfNoneExists, Ct);
        await File.WriteAllTextAsync(Path.Combine(_temp.Path, ".tmp", "leftover"), "partial", Ct);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_temp.Path, ".locks")));

        // Ordinal: '-' < '/' < 'B' < 'a' < 'b' (a culture-aware sort would put "a/B" after "a/locked" or "a/y").
        Assert.Equal(["runs/a-c/x", "runs/a/B", "runs/a/locked", "runs/a/y", "runs/ab/x"], await ListPaths("runs/a"));
        Assert.Equal(["runs/a/B", "runs/a/locked", "runs/a/y"], await ListPaths("runs/a/"));
        Assert.Equal(["runs/a-c/x", "runs/a/B", "runs/a/locked", "runs/a/y", "runs/ab/x", "runs/b/z"], await ListPaths("runs/"));
        Assert.Equal(["runs/a-c/x", "runs/a/B", "runs/a/locked", "runs/a/y", "runs/ab/x", "runs/b/z", "runsfoo"], await ListPaths("runs"));
        Assert.Equal(["runs/b/z"], await ListPaths("runs/b/z"));
        Assert.Empty(await ListPaths("runs/c"));
        Assert.Empty(await ListPaths("runs/zzz/"));
        Assert.Empty(await ListPaths("."));

        var all = await ListPaths("");
        Assert.Equal(paths.Append("runs/a/locked").Order(StringComparer.Ordinal), all);
        Assert.DoesNotContain(all, p => p.StartsWith(".tmp", StringComparison.Ordinal) || p.StartsWith(".locks", StringComparison.Ordinal));

        // Listed infos carry the same length and ETag as GetInfoAsync.
        await foreach (var info in _store.ListAsync("runs/b/", Ct))
        {
            var direct = await _store.GetInfoAsync(info.Path, Ct);
            Assert.Equal(direct, info);
            Assert.Equal(Encoding.UTF8.GetByteCount("runs/b/z"), info.Length);
        }
    }

    [Theory]
    [InlineData("../")]
    [InlineData("../sibling")]
    [InlineData("runs/../../")]
    public async Task ListAsync_WithPrefixLeavingTheRoot_ListsNothingOutsideTheRoot(string prefix)
    {
        // The store lives in <temp>/store; a file next to it is not an artifact of the store.
        using var parent = new TempDirectory("list-parent");
        var store = new FileArtifactStore(parent.Combine("store"));
        await store.PutTextAsync("runs/inside", "in", cancellationToken: Ct);
        Directory.CreateDirectory(parent.Combine("sibling"));
        await File.WriteAllTextAsync(parent.Combine("sibling", "secret.txt"), "outside the root", Ct);

        var listed = new List<string>();
        try
        {
            await foreach (var info in store.ListAsync(prefix, Ct))
            {
                listed.Add(info.Path);
            }
        }
        catch (ArgumentException)
        {
            // Rejecting the prefix is as good as listing nothing.
        }

        Assert.Empty(listed);
    }

    [Fact]
    public async Task ManyWrites_LeaveNoTempFiles()
    {
        var etag = await _store.PutTextAsync("t/file", "0", cancellationToken: Ct);
        for (var i = 1; i <= 40; i++)
        {
            await _store.PutBytesAsync($"t/{i % 7}", new byte[i * 1000], cancellationToken: Ct);
            etag = await _store.PutTextAsync("t/file", i.ToString(System.Globalization.CultureInfo.InvariantCulture), WriteCondition.IfMatch(etag), Ct);
            await Assert.ThrowsAsync<ArtifactConflictException>(() => _store.PutTextAsync("t/file", "lost", WriteCondition.IfNoneExists, Ct));
        }

        // A write cancelled before it starts copying must clean up too.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _store.PutBytesAsync("t/cancelled", new byte[1000], cancellationToken: cancelled.Token));
        Assert.False(await _store.ExistsAsync("t/cancelled", Ct));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_temp.Path, ".tmp")));
        Assert.Equal("40", (await _store.GetTextAsync("t/file", Ct))!.Value.Text);
    }
}
