using MassTransit;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// Stamps the schedule token on the stored message, as Quartz does: a state machine ignores a fired
/// timer whose token is no longer the instance's current one.
/// </summary>
sealed class ScheduleTokenPipe<T> : IPipe<SendContext<T>>
    where T : class
{
    readonly IPipe<SendContext<T>>? _next;
    readonly Guid _tokenId;

    public ScheduleTokenPipe(Guid tokenId, IPipe<SendContext<T>>? next)
    {
        _tokenId = tokenId;
        _next = next;
    }

    public async Task Send(SendContext<T> context)
    {
        context.Headers.Set(MessageHeaders.SchedulingTokenId, _tokenId.ToString("D"));
        if (_next is not null)
            await _next.Send(context);
    }

    public void Probe(ProbeContext context)
    {
        context.CreateFilterScope("scheduleToken");
        _next?.Probe(context);
    }
}
