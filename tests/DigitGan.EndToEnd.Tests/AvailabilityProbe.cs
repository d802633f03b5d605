using System.Diagnostics;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// Polls the runs list, one run's manifest and the runs page every 200 ms until disposed, and keeps every failed
/// request: a crash of the training worker must not cost the pages or the API a single answer.
/// </summary>
public sealed class AvailabilityProbe : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly HttpClient _client;
    private readonly string[] _paths;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _failures = [];
    private readonly Task _loop;

    public AvailabilityProbe(HttpClient client, Guid runId)
    {
        _client = client;
        _paths = ["/api/runs", $"/api/runs/{runId}", "/runs"];
        _loop = Task.Run(PollAsync);
    }

    public int Requests { get; private set; }

    public IReadOnlyList<string> Failures => _failures;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var path in _paths)
                {
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        using var response = await _client.GetAsync(path, _stop.Token).ConfigureAwait(false);
                        if (!response.IsSuccessStatusCode)
                        {
                            _failures.Add($"{path}: {(int)response.StatusCode} after {clock.ElapsedMilliseconds} ms");
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        _failures.Add($"{path}: {ex.Message} after {clock.ElapsedMilliseconds} ms");
                    }

                    Requests++;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
