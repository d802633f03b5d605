using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components;

namespace DigitGan.Web.Components;

/// <summary>
/// A page that loads from the artifact store and refreshes itself every <see cref="RefreshInterval"/> while the
/// circuit is connected (a PeriodicTimer, stopped with the page). A store outage becomes <see cref="StorageFailed"/>
/// (the page shows "Storage is unreachable" with a retry), never an unhandled exception.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _loading = new(1, 1);

    protected bool StorageFailed { get; private set; }

    protected bool Loaded { get; private set; }

    protected virtual TimeSpan RefreshInterval => TimeSpan.FromSeconds(2);

    /// <summary>False once the page shows nothing that can change (e.g. a finished run): the timer then skips reloads.</summary>
    protected virtual bool NeedsRefresh => true;

    protected CancellationToken PageStopping => _stop.Token;

    protected abstract Task LoadAsync(CancellationToken cancellationToken);

    protected override Task OnParametersSetAsync() => ReloadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _ = RefreshLoopAsync(_stop.Token);
        }
    }

    /// <summary>Loads again now (the retry button, and after an action).</summary>
    protected async Task ReloadAsync()
    {
        await _loading.WaitAsync().ConfigureAwait(true);
        try
        {
            await LoadAsync(_stop.Token).ConfigureAwait(true);
            StorageFailed = false;
        }
        catch (Exception ex) when (StorageErrors.IsUnreachable(ex))
        {
            StorageFailed = true;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            Loaded = true;
            _loading.Release();
        }
    }

    private async Task RefreshLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (NeedsRefresh || StorageFailed)
                {
                    await InvokeAsync(async () =>
                    {
                        await ReloadAsync().ConfigureAwait(true);
                        StateHasChanged();
                    }).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        GC.SuppressFinalize(this);
    }
}
