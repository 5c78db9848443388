using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.RunsApi.Data;

namespace Strait.RunsApi.Consumers;

/// <summary>
/// Merges SDK annotations into the run's <c>metadata</c> with one atomic jsonb merge. The saga changes a run only under
/// its row lock and this UPDATE takes the same lock, so neither overwrites the other's keys; the saga's own keys stay.
/// </summary>
public sealed class RunAnnotatedConsumer(RunsDbContext db) : IConsumer<RunAnnotated>
{
    public async Task Consume(ConsumeContext<RunAnnotated> context)
    {
        var message = context.Message;
        var patch = JsonSerializer.Serialize(message.Annotations);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE runs.runs SET metadata = COALESCE(metadata, '{{}}'::jsonb) || CAST({patch} AS jsonb) WHERE id = {message.RunId}",
            context.CancellationToken);
    }
}
