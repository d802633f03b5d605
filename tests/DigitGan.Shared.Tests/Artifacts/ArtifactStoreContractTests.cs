using System.Text;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Shared.Tests.Artifacts;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do: streamed round trips, listing, deletes, ETags that change on
/// every write, conditional writes that never lose an update (also between two store instances on the same
/// backing storage), and readers that see one complete version. Each implementation's tests derive from this.
/// </summary>
public abstract class ArtifactStoreContractTests
{
    /// <summary>The store under test, empty at the start of each test.</summary>
    protected abstract IArtifactStore Store { get; }

    /// <summary>A second, independent store instance on the same backing storage (another process's view).</summary>
    protected abstract IArtifactStore OpenSecondStore();

    /// <summary>Checks that no temporary state was left behind by the writes (nothing to check by default).</summary>
    protected virtual void AssertNoLeftovers()
    {
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutAndOpenRead_RoundTripFiveMegabytes()
    {
        var bytes = new byte[5 * 1024 * 1024];
        new Random(42).NextBytes(bytes);

        string etag;
        using (var input = new MemoryStream(bytes, writable: false))
        {
            etag = await Store.PutAsync("datasets/blob.bin", input, cancellationToken: Ct);
        }

        var reader = await Store.OpenReadAsync("datasets/blob.bin", Ct);
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

        var info = await Store.GetInfoAsync("datasets/blob.bin", Ct);
        Assert.NotNull(info);
        Assert.Equal(bytes.Length, info.Length);
        Assert.Equal(etag, info.ETag);
    }

    [Fact]
    public async Task MissingArtifact_HasNoInfoAndCannotBeOpened()
    {
        Assert.Null(await Store.GetInfoAsync("runs/nothing/here.json", Ct));
        Assert.False(await Store.ExistsAsync("runs/nothing/here.json", Ct));
        Assert.Null(await Store.OpenReadAsync("runs/nothing/here.json", Ct));
        Assert.Null(await Store.OpenReadAsync("missing-top-level", Ct));

        await Store.PutTextAsync("runs/nothing/here.json", "{}", cancellationToken: Ct);

        Assert.True(await Store.ExistsAsync("runs/nothing/here.json", Ct));
        Assert.NotNull(await Store.GetInfoAsync("runs/nothing/here.json", Ct));
        Assert.False(await Store.ExistsAsync("runs/nothing/here", Ct));
        Assert.False(await Store.ExistsAsync("runs/nothing", Ct)); // a folder is not an artifact
    }

    [Fact]
    public async Task Append_CreatesThenGrows_AfterAWholeWriteToo_AndChangesTheETag()
    {
        await Store.AppendTextAsync("runs/a/metrics.jsonl", "one\n", Ct);
        var first = (await Store.GetInfoAsync("runs/a/metrics.jsonl", Ct))!;
        await Store.AppendTextAsync("runs/a/metrics.jsonl", "two\n", Ct);
        var second = (await Store.GetInfoAsync("runs/a/metrics.jsonl", Ct))!;
        Assert.Equal("one\ntwo\n", (await Store.GetTextAsync("runs/a/metrics.jsonl", Ct))!.Value.Text);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(8, second.Length);

        // A resume cuts the file back with a whole write; appends then continue from the cut.
        await Store.PutTextAsync("runs/a/metrics.jsonl", "one\n", cancellationToken: Ct);
        await Store.AppendTextAsync("runs/a/metrics.jsonl", "three\n", Ct);
        Assert.Equal("one\nthree\n", (await Store.GetTextAsync("runs/a/metrics.jsonl", Ct))!.Value.Text);

        var big = new string('x', (5 * 1024 * 1024) + 3);
        await Store.AppendTextAsync("runs/a/metrics.jsonl", big, Ct);
        Assert.Equal("one\nthree\n".Length + big.Length, (await Store.GetInfoAsync("runs/a/metrics.jsonl", Ct))!.Length);
        AssertNoLeftovers();
    }

    [Fact]
    public async Task DeleteAsync_ReturnsTrueThenFalse()
    {
        await Store.PutTextAsync("runs/x/manifest.json", "{}", cancellationToken: Ct);

        Assert.True(await Store.DeleteAsync("runs/x/manifest.json", Ct));
        Assert.False(await Store.ExistsAsync("runs/x/manifest.json", Ct));
        Assert.Null(await Store.OpenReadAsync("runs/x/manifest.json", Ct));
        Assert.False(await Store.DeleteAsync("runs/x/manifest.json", Ct));
        Assert.False(await Store.DeleteAsync("never/was/there", Ct));
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
            var etag = await Store.PutTextAsync(path, $"{{\"step\":{i % 10}}}", cancellationToken: Ct);
            Assert.Equal(etag, (await Store.GetInfoAsync(path, Ct))!.ETag);
            seen.Add(etag);
        }

        var duplicates = seen.GroupBy(e => e).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"ETags repeated across different writes: {string.Join(", ", duplicates)}");
    }

    [Fact]
    public async Task ETag_ChangesWhenLengthChanges()
    {
        var first = await Store.PutTextAsync("a/b", "short", cancellationToken: Ct);
        var second = await Store.PutTextAsync("a/b", "much longer content", cancellationToken: Ct);
        var third = await Store.PutTextAsync("a/b", "s", cancellationToken: Ct);
        Assert.NotEqual(first, second);
        Assert.NotEqual(second, third);
        Assert.NotEqual(first, third);
    }

    [Fact]
    public async Task IfNoneExists_SucceedsOnceThenConflicts_AndKeepsFirstContent()
    {
        const string path = "runs/new/manifest.json";
        var etag = await Store.PutTextAsync(path, "first", WriteCondition.IfNoneExists, Ct);

        var ex = await Assert.ThrowsAsync<ArtifactConflictException>(
            () => Store.PutTextAsync(path, "second!", WriteCondition.IfNoneExists, Ct));
        Assert.Equal(path, ex.Path);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);

        var current = await Store.GetTextAsync(path, Ct);
        Assert.Equal("first", current!.Value.Text);
        Assert.Equal(etag, current.Value.ETag);
    }

    [Fact]
    public async Task IfMatch_CurrentETagWins_StaleETagConflictsAndKeepsNewerContent()
    {
        const string path = "runs/m/manifest.json";
        var v1 = await Store.PutTextAsync(path, "version-1", cancellationToken: Ct);
        var v2 = await Store.PutTextAsync(path, "version-2", WriteCondition.IfMatch(v1), Ct);
        Assert.NotEqual(v1, v2);
        Assert.Equal("version-2", (await Store.GetTextAsync(path, Ct))!.Value.Text);

        // v1 is stale now: a writer that read version-1 must not overwrite version-2.
        var ex = await Assert.ThrowsAsync<ArtifactConflictException>(
            () => Store.PutTextAsync(path, "version-X", WriteCondition.IfMatch(v1), Ct));
        Assert.Equal(path, ex.Path);

        var current = await Store.GetTextAsync(path, Ct);
        Assert.Equal("version-2", current!.Value.Text);
        Assert.Equal(v2, current.Value.ETag);

        // A made-up ETag conflicts as well, and IfMatch on a missing artifact conflicts (it no longer exists).
        await Assert.ThrowsAsync<ArtifactConflictException>(
            () => Store.PutTextAsync(path, "version-Y", WriteCondition.IfMatch("\"0-0\""), Ct));
        await Assert.ThrowsAsync<ArtifactConflictException>(
            () => Store.PutTextAsync("runs/m/absent.json", "x", WriteCondition.IfMatch(v2), Ct));
        Assert.False(await Store.ExistsAsync("runs/m/absent.json", Ct));
        Assert.Equal("version-2", (await Store.GetTextAsync(path, Ct))!.Value.Text);
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
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutTextAsync(path, "x", cancellationToken: Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutTextAsync(path, "x", WriteCondition.IfNoneExists, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenReadAsync(path, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetInfoAsync(path, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(path, Ct));

        // Nothing escaped the root or landed in it.
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
        var oldEtag = await Store.PutBytesAsync(path, oldBytes, cancellationToken: Ct);

        var reader = await Store.OpenReadAsync(path, Ct);
        Assert.NotNull(reader);
        await using (reader)
        {
            var head = new byte[4096];
            await reader.Content.ReadExactlyAsync(head, Ct);

            var newEtag = await Store.PutBytesAsync(path, newBytes, cancellationToken: Ct);
            Assert.NotEqual(oldEtag, newEtag);

            using var rest = new MemoryStream();
            await reader.Content.CopyToAsync(rest, Ct);
            var seen = head.Concat(rest.ToArray()).ToArray();
            Assert.Equal(oldBytes.Length, seen.Length);
            Assert.True(oldBytes.AsSpan().SequenceEqual(seen), "the open reader saw bytes of the new version");
            Assert.Equal(oldEtag, reader.Info.ETag);
            Assert.Equal(oldBytes.Length, reader.Info.Length);
        }

        var fresh = await Store.OpenReadAsync(path, Ct);
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
        var repository = new RunRepository(Store);
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
        AssertNoLeftovers();
    }

    [Fact]
    public async Task TwoStoresOnOneRoot_IfNoneExistsRace_ExactlyOneWinnerPerPath()
    {
        var other = OpenSecondStore();
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
            Task.Run(() => Contend(Store, "A1"), Ct), Task.Run(() => Contend(other, "B1"), Ct),
            Task.Run(() => Contend(Store, "A2"), Ct), Task.Run(() => Contend(other, "B2"), Ct),
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
        var other = OpenSecondStore();
        const string path = "race/counter";
        await Store.PutTextAsync(path, "0", cancellationToken: Ct);
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
            Task.Run(() => Increment(Store), Ct), Task.Run(() => Increment(other), Ct),
            Task.Run(() => Increment(Store), Ct), Task.Run(() => Increment(other), Ct),
        };
        start.Set();
        await Task.WhenAll(tasks);

        Assert.Equal((4 * perWriter).ToString(System.Globalization.CultureInfo.InvariantCulture), (await Store.GetTextAsync(path, Ct))!.Value.Text);
    }

    [Fact]
    public async Task Lease_IsExclusiveAcrossStoreInstances_AndFreeAgainOnceReleased()
    {
        var first = await Store.TryAcquireLeaseAsync("runs/r/lease", Ct);
        Assert.NotNull(first);
        var other = OpenSecondStore();
        Assert.Null(await other.TryAcquireLeaseAsync("runs/r/lease", Ct));
        Assert.Null(await Store.TryAcquireLeaseAsync("runs/r/lease", Ct));
        var unrelated = await other.TryAcquireLeaseAsync("runs/s/lease", Ct);
        Assert.NotNull(unrelated);

        await first.DisposeAsync();
        var second = await other.TryAcquireLeaseAsync("runs/r/lease", Ct);
        Assert.NotNull(second);
        await second.DisposeAsync();
        await unrelated.DisposeAsync();
    }

    [Fact]
    public async Task ListAsync_ReturnsPathsUnderThePrefixInOrdinalOrder()
    {
        foreach (var path in new[] { "runs/b/z", "runs/a/y", "runs/ab/x", "runs/a-c/x", "runsfoo", "runs/a/B" })
        {
            await Store.PutTextAsync(path, path, cancellationToken: Ct);
        }

        Assert.Equal(["runs/a-c/x", "runs/a/B", "runs/a/y", "runs/ab/x"], await ListPaths("runs/a"));
        Assert.Equal(["runs/a/B", "runs/a/y"], await ListPaths("runs/a/"));
        Assert.Equal(["runs/a-c/x", "runs/a/B", "runs/a/y", "runs/ab/x", "runs/b/z", "runsfoo"], await ListPaths("runs"));
        Assert.Empty(await ListPaths("runs/zzz/"));
        var info = (await Store.GetInfoAsync("runs/b/z", Ct))!;
        var listed = Assert.Single(await ListInfos("runs/b/"));
        Assert.Equal((info.Path, info.Length, info.ETag), (listed.Path, listed.Length, listed.ETag));
    }

    protected async Task<List<string>> ListPaths(string prefix)
    {
        var result = new List<string>();
        await foreach (var info in Store.ListAsync(prefix, Ct))
        {
            result.Add(info.Path);
        }

        return result;
    }

    protected async Task<List<ArtifactInfo>> ListInfos(string prefix)
    {
        var result = new List<ArtifactInfo>();
        await foreach (var info in Store.ListAsync(prefix, Ct))
        {
            result.Add(info);
        }

        return result;
    }
}
