using System.Data.Common;
using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrowdShield.Web.Data;

/// <summary>
/// On SQLite, every statement EF runs that is not a query (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>, raw SQL: a
/// notification's delivery state, a counter's last reading, a sign-out) wants the write lock while it runs, so a ping
/// flood lets it in (<see cref="WriteTurns"/>). Queries only read, and SQLite's WAL lets them run beside a writer.
/// </summary>
internal sealed class NonQueriesWantTurn(WriteTurns turns) : DbCommandInterceptor
{
    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        turns.Enter();
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        turns.Enter();
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        turns.Leave();
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        turns.Leave();
        return ValueTask.FromResult(result);
    }

    // EF reports a failed or canceled statement of any kind here: only a non-query said it wanted the lock.
    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LeaveIfNonQuery(eventData);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveIfNonQuery(eventData);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => LeaveIfNonQuery(eventData);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveIfNonQuery(eventData);
        return Task.CompletedTask;
    }

    private void LeaveIfNonQuery(CommandEndEventData eventData)
    {
        if (eventData.ExecuteMethod == DbCommandMethod.ExecuteNonQuery)
        {
            turns.Leave();
        }
    }
}
