using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Events;
using Strait.Contracts.Runs;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Outbound;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// <c>/wait-for-event</c> (semantics §8.2): park the run until an event with the key is sent or the wait times out. The
/// trigger is registered first (events answers 409 for a key in use), then the saga is asked to park the run (200, or
/// 401/404/409/410 with nothing changed: the trigger is withdrawn again).
/// </summary>
public static class SdkEventWaitApi
{
    public const int DefaultTimeoutSecs = 3600;
    public const int MaxTimeoutSecs = 30 * 24 * 3600;
    public const int MaxEventKeyBytes = 512;

    /// <summary>The run's <c>wait_reason</c> column holds 256 characters.</summary>
    private const int MaxReasonLength = 256;

    public static RouteGroupBuilder MapSdkEventWaitApi(this RouteGroupBuilder group)
    {
        group.MapPost("/wait-for-event", WaitForEventAsync);
        return group;
    }

    public sealed record WaitForEventRequest(string? EventKey, long? TimeoutSecs, string? NotifyUrl);

    public sealed record WaitForEventResponse(string Status, string EventKey, DateTimeOffset ExpiresAt, Guid TriggerId);

    public static List<string> Validate(WaitForEventRequest? body, OutboundOptions outbound)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(body?.EventKey))
        {
            errors.Add("event_key: is required");
        }
        else if (Encoding.UTF8.GetByteCount(body.EventKey) > MaxEventKeyBytes)
        {
            errors.Add($"event_key: must be at most {MaxEventKeyBytes} bytes");
        }
        else if (body.EventKey.Any(c => c < 0x20 || c == 0x7f))
        {
            errors.Add("event_key: must not contain control characters");
        }

        if (body?.TimeoutSecs is { } timeout && timeout is < 1 or > MaxTimeoutSecs)
        {
            errors.Add($"timeout_secs: must be between 1 and {MaxTimeoutSecs}");
        }

        if (body?.NotifyUrl is { } notifyUrl)
        {
            if (!Uri.TryCreate(notifyUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add("notify_url: must be an absolute http or https URL");
            }
            else if (OutboundUrlPolicy.Refusal(uri, outbound) is { } refusal)
            {
                errors.Add($"notify_url: {refusal}");
            }
        }

        return errors;
    }


    private static async Task<IResult> WaitForEventAsync(Guid runId, WaitForEventRequest? body, HttpContext http, IngestDbContext db,
        IRequestClient<RegisterEventTrigger> triggers, IRequestClient<RequestRunWait> saga, IPublishEndpoint publish,
        IOptions<OutboundOptions> outbound, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(body, outbound.Value);
        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var (run, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (run!.Status == "waiting")
        {
            return ApiResults.Conflict("run is not executing (status waiting)");
        }

        var key = body!.EventKey!;
        var timeoutSecs = (int)(body.TimeoutSecs ?? DefaultTimeoutSecs);
        var now = clock.GetUtcNow();
        var expiresAt = now.AddSeconds(timeoutSecs);
        var triggerId = Guid.CreateVersion7(now);
        var registered = (await triggers.GetResponse<EventTriggerResult>(new RegisterEventTrigger
        {
            TriggerId = triggerId,
            RunId = runId,
            ProjectId = run.ProjectId,
            EventKey = key,
            TimeoutSecs = timeoutSecs,
            RequestedAt = now,
            ExpiresAt = expiresAt,
            NotifyUrl = body.NotifyUrl,
        }, ct, RequestTimeout.After(s: 15))).Message;
        if (registered.Status != StatusCodes.Status200OK)
        {
            return ApiResults.Error(registered.Status, registered.Error ?? "event trigger refused");
        }

        var reason = $"event:{key}";
        var waited = (await saga.GetResponse<RunCommandResult>(new RequestRunWait
        {
            RunId = runId,
            Attempt = SdkRunGuard.TokenAttempt(http),
            Reason = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason,
            TimeoutAt = expiresAt,
        }, ct, RequestTimeout.After(s: 15))).Message;
        if (waited.Status != StatusCodes.Status200OK)
        {
            await publish.Publish(new WithdrawEventTrigger { TriggerId = triggerId, RunId = runId }, ct);
            await db.SaveChangesAsync(ct);
            return ApiResults.Error(waited.Status, waited.Error ?? "run command refused");
        }

        return TypedResults.Ok(new WaitForEventResponse("waiting", key, expiresAt, triggerId));
    }
}
