using System.Text;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Artifacts;

public sealed class FileArtifactStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("store");
    private readonly FileArtifactStore _store;

    public FileArtifactStoreTests() => _store = new FileArtifactStore(_temp.Path);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PutAndOpenRead_RoundTripFiveMegabytes()
    {
        var bytes = new byte[5 * 1024 * 1024];
        new Random(42).NextBytes(bytes);

        string etag;
        using (var input = new MemoryStream(bytes, writable: false))
        {
            etag = await _store.PutAsync("datasets/blob.bin", input, cancellationToken: Ct);
        }

        var reader = await _store.OpenReadAsync("datasets/blob.bin", Ct);
        Assert.NotNull(reader);
        await using (reader)
        {
            Assert.Equal("datasets/blob.bin", reader.Info.Path);
            Assert.Equal(bytes.Length, reader.Info.Length);
            Assert.Equal(etag, reader.Info.ETag);
            using var copy = new MemoryStream();
            await reader.Content.CopyToAsync(copy, Ct);
            Assert.Equal(bytes.Length, copy.Length);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()), "the bytes read back differ from the bytes written");
        }

        var info = await _store.GetInfoAsync("datasets/blob.bin", Ct);
        Assert.NotNull(info);
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal(etag, info.ETag);
        Assert.Equal(bytes.Length, new FileInfo(Path.Combine(_temp.Path, "datasets", "blob.bin")).Length);
    }

    [Fact]
    public async Task MissingArtifact_HasNoInfoAndCannotBeOpened()
    {
        Assert.Null(await _store.GetInfoAsync("runs/nothing/here.json", Ct));
        Assert.False(await _store.ExistsAsync("runs/nothing/here.json", Ct));
        Assert.Null(await _store.OpenReadAsync("runs/nothing/here.json", Ct));
        Assert.Null(await _store.OpenReadAsync("missing-top-level", Ct));

        await _store.PutTextAsync("runs/nothing/here.json", "{}", cancellationToken: Ct);

        Assert.True(await _store.ExistsAsync("runs/nothing/here.json", Ct));
        Assert.NotNull(await _store.GetInfoAsync("runs/nothing/here.json", Ct));
        Assert.False(await _store.ExistsAsync("runs/nothing/here", Ct));
        Assert.False(await _store.ExistsAsync("runs/nothing", Ct)); // a folder is not an artifact
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
    public async Task DeleteAsync_ReturnsTrueThenFalse()
    {
        await _store.PutTextAsync("runs/x/manifest.json", "{}", cancellationToken: Ct);

        Assert.True(await _store.DeleteAsync("runs/x/manifest.json", Ct));
        Assert.False(await _store.ExistsAsync("runs/x/manifest.json", Ct));
        Assert.Null(await _store.OpenReadAsync("runs/x/manifest.json", Ct));
        Assert.False(await _store.DeleteAsync("runs/x/manifest.json", Ct));
        Assert.False(await _store.DeleteAsync("never/was/there", Ct));
        Assert.Empty(await ListPaths("runs/"));
    }

    [Fact]
    public async Task ETag_ChangesAfterEachWrite_EvenWithSameLengthContent()
    {
        const string path = "runs/etag/manifest.json";
        var seen = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            // Same length every time: only the content (and the time) changes, as with most manifest rewrites.
            var etag = await _store.PutTextAsync(path, $"{{\"step\":{i % 10}}}", cancellationToken: Ct);
            Assert.Equal(etag, (await _store.GetInfoAsync(path, Ct))!.ETag);
            seen.Add(etag);
        }

        var duplicates = seen.GroupBy(e => e).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"ETags repeated across different writes: {string.Join(", ", duplicates)}");
    }

    [Fact]
    public async Task ETag_ChangesWhenLengthChanges()
    {
        var first = await _store.PutTextAsync("a/b", "short", cancellationToken: Ct);
        var second = await _store.PutTextAsync("a/b", "much longer content", cancellationToken: Ct);
        var third = await _store.PutTextAsync("a/b", "s", cancellationToken: Ct);
        Assert.NotEqual(first, second);
        Assert.NotEqual(second, third);
        Assert.NotEqual(first, third);
    }

    [Fact]
    public async Task IfNoneExists_SucceedsOnceThenConflicts_AndKeepsFirstContent()
    {
        const string path = "runs/new/manifest.json";
        var etag = await _store.PutTextAsync(path, "first", WriteCondition.IfNoneExists, Ct);

        var ex = await Assert.ThrowsAsync<ArtifactConflictException>(
            () => _store.PutTextAsync(path, "second!", WriteCondition.IfNoneExists, Ct));
        Assert.Equal(path, ex.Path);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);

        var current = await _store.GetTextAsync(path, Ct);
        Assert.Equal("first", current!.Value.Text);
        Assert.Equal(etag, current.Value.ETag);
    }

    [Fact]
    public async Task IfMatch_CurrentETagWins_StaleETagConflictsAndKeepsNewerContent()
    {
        const string path = "runs/m/manifest.json";
        var v1 = await _store.PutTextAsync(path, "version-1", cancellationToken: Ct);
        var v2 = await _store.PutTextAsync(path, "version-2", WriteCondition.IfMatch(v1), Ct);
        Assert.NotEqual(v1, v2);
        Assert.Equal("version-2", (await _store.GetTextAsync(path, Ct))!.Value.Text);

        // v1 is stale now: a writer that read version-1 must not overwrite version-2.
        var ex = await Assert.ThrowsAsync<ArtifactConflictException>(
            () => _store.PutTextAsync(path, "version-X", WriteCondition.IfMatch(v1), Ct));
        Assert.Equal(path, ex.Path);

        var current = await _store.GetTextAsync(path, Ct);
        Assert.Equal("version-2", current!.Value.Text);
        Assert.Equal(v2, current.Value.ETag);

        // A made-up ETag conflicts as well, and IfMatch on a missing artifact conflicts (it no longer exists).
        await Assert.ThrowsAsync<ArtifactConflictException>(
            () => _store.PutTextAsync(path, "version-Y", WriteCondition.IfMatch("\"0-0\""), Ct));
        await Assert.ThrowsAsync<ArtifactConflictException>(
            () => _store.PutTextAsync("runs/m/absent.json", "x", WriteCondition.IfMatch(v2), Ct));
        Assert.False(await _store.ExistsAsync("runs/m/absent.json", Ct));
        Assert.Equal("version-2", (await _store.GetTextAsync(path, Ct))!.Value.Text);
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

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("/abs")]
    [InlineData("/abs/path")]
    [InlineData("a/../b")]
    [InlineData("../outside")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("a\\b")]
    [InlineData(".tmp/x")]
    [InlineData(".locks/x")]
    public async Task InvalidPaths_ThrowArgumentException(string path)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.PutTextAsync(path, "x", cancellationToken: Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.PutTextAsync(path, "x", WriteCondition.IfNoneExists, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.OpenReadAsync(path, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.GetInfoAsync(path, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _store.DeleteAsync(path, Ct));

        // Nothing escaped the root or landed in it.
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_temp.Path)!, "outside")));
        Assert.Empty(await ListPaths(""));
    }

    [Fact]
    public async Task ReaderOpenedBeforeOverwrite_StillReadsOldCompleteContent()
    {
        const string path = "runs/r/latest.ckpt";
        var oldBytes = new byte[2 * 1024 * 1024];
        new Random(1).NextBytes(oldBytes);
        var newBytes = new byte[1024 * 1024 + 17];
        new Random(2).NextBytes(newBytes);
        var oldEtag = await _store.PutBytesAsync(path, oldBytes, cancellationToken: Ct);

        var reader = await _store.OpenReadAsync(path, Ct);
        Assert.NotNull(reader);
        await using (reader)
        {
            var head = new byte[4096];
            await reader.Content.ReadExactlyAsync(head, Ct);

            var newEtag = await _store.PutBytesAsync(path, newBytes, cancellationToken: Ct);
            Assert.NotEqual(oldEtag, newEtag);

            using var rest = new MemoryStream();
            await reader.Content.CopyToAsync(rest, Ct);
            var seen = head.Concat(rest.ToArray()).ToArray();
            Assert.Equal(oldBytes.Length, seen.Length);
            Assert.True(oldBytes.AsSpan().SequenceEqual(seen), "the open reader saw bytes of the new version");
            Assert.Equal(oldEtag, reader.Info.ETag);
            Assert.Equal(oldBytes.Length, reader.Info.Length);
        }

        var fresh = await _store.OpenReadAsync(path, Ct);
        Assert.NotNull(fresh);
        await using (fresh)
        {
            using var copy = new MemoryStream();
            await fresh.Content.CopyToAsync(copy, Ct);
            Assert.True(newBytes.AsSpan().SequenceEqual(copy.ToArray()), "a reader opened after the overwrite must see the new version");
        }
    }

    [Fact]
    public async Task ConcurrentReadModifyWrite_ViaRunRepository_LosesNoUpdate()
    {
        var repository = new RunRepository(_store);
        var run = await repository.CreateAsync(new RunSpec(), cancellationToken: Ct);

        const int writers = 8, increments = 10;
        using var start = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            start.Wait(Ct);
            for (var i = 0; i < increments; i++)
            {
                await repository.UpdateAsync(run.RunId, m => m with { Progress = m.Progress with { Step = m.Progress.Step + 1 } }, Ct);
            }
        }, Ct)).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var final = await repository.GetAsync(run.RunId, Ct);
        Assert.NotNull(final);
        Assert.Equal(writers * increments, final.Progress.Step);
        Assert.Equal(run.Progress.TotalEpochs, final.Progress.TotalEpochs);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_temp.Path, ".tmp")));
    }

    [Fact]
    public async Task TwoStoresOnOneRoot_IfNoneExistsRace_ExactlyOneWinnerPerPath()
    {
        var other = new FileArtifactStore(_temp.Path);
        const int paths = 30;
        var wins = new int[paths];
        using var start = new ManualResetEventSlim(false);

        async Task Contend(IArtifactStore store, string who)
        {
            start.Wait(Ct);
            for (var i = 0; i < paths; i++)
            {
                try
                {
                    await store.PutTextAsync($"race/{i}", who, WriteCondition.IfNoneExists, Ct);
                    Interlocked.Increment(ref wins[i]);
                }
                catch (ArtifactConflictException)
                {
                }
            }
        }

        var tasks = new[]
        {
            Task.Run(() => Contend(_store, "A1"), Ct), Task.Run(() => Contend(other, "B1"), Ct),
            Task.Run(() => Contend(_store, "A2"), Ct), Task.Run(() => Contend(other, "B2"), Ct),
        };
        start.Set();
        await Task.WhenAll(tasks);

        for (var i = 0; i < paths; i++)
        {
            Assert.True(wins[i] == 1, $"race/{i} had {wins[i]} winners");
            Assert.Contains((await other.GetTextAsync($"race/{i}", Ct))!.Value.Text, new[] { "A1", "A2", "B1", "B2" });
        }
    }

    [Fact]
    public async Task TwoStoresOnOneRoot_IfMatchCounter_LosesNoUpdate()
    {
        var other = new FileArtifactStore(_temp.Path);
        const string path = "race/counter";
        await _store.PutTextAsync(path, "0", cancellationToken: Ct);
        const int perWriter = 25;
        using var start = new ManualResetEventSlim(false);

        async Task Increment(IArtifactStore store)
        {
            start.Wait(Ct);
            for (var i = 0; i < perWriter; i++)
            {
                for (var attempt = 0; ; attempt++)
                {
                    var (text, etag) = (await store.GetTextAsync(path, Ct))!.Value;
                    var next = (int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    try
                    {
                        await store.PutTextAsync(path, next, WriteCondition.IfMatch(etag), Ct);
                        break;
                    }
                    catch (ArtifactConflictException) when (attempt < 1000)
                    {
                        await Task.Yield();
                    }
                }
            }
        }

        var tasks = new[]
        {
            Task.Run(() => Increment(_store), Ct), Task.Run(() => Increment(other), Ct),
            Task.Run(() => Increment(_store), Ct), Task.Run(() => Increment(other), Ct),
        };
        start.Set();
        await Task.WhenAll(tasks);

        Assert.Equal((4 * perWriter).ToString(System.Globalization.CultureInfo.InvariantCulture), (await _store.GetTextAsync(path, Ct))!.Value.Text);
    }

    private async Task<List<string>> ListPaths(string prefix)
    {
        var result = new List<string>();
        await foreach (var info in _store.ListAsync(prefix, Ct))
        {
            result.Add(info.Path);
        }

        return result;
    }
}
