using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrowdShield.Web.Data;

/// <summary>
/// On SQLite, every <c>SaveChanges</c> (a report, an operator's action, an alert, a zone) wants the write lock from
/// its start to its end, so a ping flood lets it in (<see cref="WriteTurns"/>).
/// </summary>
internal sealed class SaveChangesWantsTurn(WriteTurns turns) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        turns.Enter();
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        turns.Enter();
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        turns.Leave();
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        turns.Leave();
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => turns.Leave();

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        turns.Leave();
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => turns.Leave();

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        turns.Leave();
        return Task.CompletedTask;
    }
}
