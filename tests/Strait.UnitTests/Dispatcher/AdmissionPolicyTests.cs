using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;

namespace Strait.UnitTests.Dispatcher;

public sealed class AdmissionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid JobId = Guid.CreateVersion7();

    [Fact]
    public void Plan_MixedPriorities_AdmitsByPriorityThenAge()
    {
        var low = Entry(priority: 0, createdSecondsAgo: 50);
        var highNew = Entry(priority: 5, createdSecondsAgo: 10);
        var highOld = Entry(priority: 5, createdSecondsAgo: 40);
        var middle = Entry(priority: 3, createdSecondsAgo: 60);

        var plan = AdmissionPolicy.Plan([low, highNew, highOld, middle], Jobs(new JobAdmissionState(0)), Now, capacity: 10);

        Assert.Equal([highOld, highNew, middle, low], plan.Select(p => p.Entry));
        Assert.All(plan, p => Assert.True(p.Decision.Admit));
    }

    [Fact]
    public void Plan_JobCap_AdmitsUpToCapThenWaitsWithReason()
    {
        var entries = Enumerable.Range(0, 5).Select(i => Entry(maxConcurrency: 5, createdSecondsAgo: 10 - i)).ToList();

        var plan = AdmissionPolicy.Plan(entries, Jobs(new JobAdmissionState(3)), Now, capacity: 10);

        Assert.Equal(2, plan.Count(p => p.Decision.Admit));
        Assert.All(plan.Skip(2), p => Assert.Equal("job_concurrency 5/5", p.Decision.WaitReason));
        Assert.True(plan[0].Decision.Admit);
        Assert.True(plan[1].Decision.Admit);
    }

    [Fact]
    public void Plan_KeyCap_OnlyThatKeyWaits_UnkeyedCountTowardJobOnly()
    {
        var acme1 = Entry(key: "acme", maxPerKey: 2, maxConcurrency: 10, createdSecondsAgo: 5);
        var acme2 = Entry(key: "acme", maxPerKey: 2, maxConcurrency: 10, createdSecondsAgo: 4);
        var beta = Entry(key: "beta", maxPerKey: 2, maxConcurrency: 10, createdSecondsAgo: 3);
        var none = Entry(key: null, maxPerKey: 2, maxConcurrency: 10, createdSecondsAgo: 2);
        var state = new JobAdmissionState(3, new Dictionary<string, int> { ["acme"] = 1 });

        var plan = AdmissionPolicy.Plan([acme1, acme2, beta, none], Jobs(state), Now, capacity: 10);

        Assert.True(plan[0].Decision.Admit);
        Assert.Equal("key_concurrency acme 2/2", plan[1].Decision.WaitReason);
        Assert.True(plan[2].Decision.Admit);
        Assert.True(plan[3].Decision.Admit);
        Assert.Equal(6, state.Active);
    }

    [Fact]
    public void Decide_RateLimitFull_WaitsUntilOldestCountedStartLeavesWindow()
    {
        var entry = Entry(rateLimitMax: 2, rateLimitWindowSecs: 10);
        var state = new JobAdmissionState(0, recentStarts: [Now.AddSeconds(-30), Now.AddSeconds(-7.5), Now.AddSeconds(-2)]);

        var decision = AdmissionPolicy.Decide(entry, state, Now);

        Assert.False(decision.Admit);
        Assert.Equal(Now.AddSeconds(2.5), decision.RetryAt);
        Assert.Equal("rate_limited until 2026-11-23T10:00:03Z", decision.WaitReason);
    }

    [Fact]
    public void Decide_RateLimitBelowMax_Admits()
    {
        var entry = Entry(rateLimitMax: 2, rateLimitWindowSecs: 10);
        var state = new JobAdmissionState(0, recentStarts: [Now.AddSeconds(-11), Now.AddSeconds(-2)]);

        Assert.True(AdmissionPolicy.Decide(entry, state, Now).Admit);
    }

    [Fact]
    public void Plan_RateLimit_CountsAdmissionsOfTheSamePass()
    {
        var entries = Enumerable.Range(0, 3).Select(i => Entry(rateLimitMax: 2, rateLimitWindowSecs: 60, createdSecondsAgo: 10 - i)).ToList();

        var plan = AdmissionPolicy.Plan(entries, Jobs(new JobAdmissionState(0)), Now, capacity: 10);

        Assert.Equal([true, true, false], plan.Select(p => p.Decision.Admit));
        Assert.Equal(Now.AddSeconds(60), plan[2].Decision.RetryAt);
    }

    [Fact]
    public void Plan_EndpointCircuitOpen_WaitsUntilItClosesWithoutTakingASlot()
    {
        var held = Entry(priority: 5);
        var other = Entry(maxConcurrency: 1);
        var until = Now.AddSeconds(42.2);

        var plan = AdmissionPolicy.Plan([held, other], Jobs(new JobAdmissionState(0)), Now, capacity: 10,
            e => e.RunId == held.RunId ? until : null);

        Assert.False(plan[0].Decision.Admit);
        Assert.Equal("circuit_open until 2026-11-23T10:00:43Z", plan[0].Decision.WaitReason);
        Assert.Equal(until, plan[0].Decision.RetryAt);
        Assert.True(plan[1].Decision.Admit);
    }

    [Fact]
    public void Plan_EndpointCircuitClosedAgain_Admits()
    {
        var entry = Entry();

        var plan = AdmissionPolicy.Plan([entry], Jobs(new JobAdmissionState(0)), Now, capacity: 10, _ => Now);

        Assert.True(Assert.Single(plan).Decision.Admit);
    }

    [Fact]
    public void Plan_CapacityUsedUp_StopsWithoutDecidingTheRest()
    {
        var entries = Enumerable.Range(0, 4).Select(i => Entry(createdSecondsAgo: 10 - i)).ToList();

        var plan = AdmissionPolicy.Plan(entries, Jobs(new JobAdmissionState(0)), Now, capacity: 2);

        Assert.Equal(2, plan.Count);
        Assert.All(plan, p => Assert.True(p.Decision.Admit));
    }

    [Fact]
    public void Plan_UnlockedJob_Skipped()
    {
        var other = Entry();
        var plan = AdmissionPolicy.Plan([other], new Dictionary<Guid, JobAdmissionState>(), Now, capacity: 5);

        Assert.Empty(plan);
    }

    [Theory]
    [InlineData("2026-11-23T10:00:05.0000000Z", "2026-11-23T10:00:05Z")]
    [InlineData("2026-11-23T10:00:05.0010000Z", "2026-11-23T10:00:06Z")]
    [InlineData("2026-11-23T12:00:05.5000000+02:00", "2026-11-23T10:00:06Z")]
    public void FormatUntil_Instant_Rfc3339UtcRoundedUp(string instant, string expected)
    {
        Assert.Equal(expected, AdmissionPolicy.FormatUntil(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static Dictionary<Guid, JobAdmissionState> Jobs(JobAdmissionState state) => new() { [JobId] = state };

    private static DispatchQueueEntry Entry(int priority = 0, int createdSecondsAgo = 0, int maxConcurrency = 0, string? key = null, int maxPerKey = 0,
        int rateLimitMax = 0, int rateLimitWindowSecs = 0) => new()
    {
        RunId = Guid.CreateVersion7(),
        Attempt = 1,
        JobId = JobId,
        ProjectId = "p",
        Priority = priority,
        ConcurrencyKey = key,
        EndpointUrl = "https://example.com/job",
        TimeoutSecs = 30,
        MaxConcurrency = maxConcurrency,
        MaxConcurrencyPerKey = maxPerKey,
        RateLimitMax = rateLimitMax,
        RateLimitWindowSecs = rateLimitWindowSecs,
        Payload = "{}",
        RunCreatedAt = Now.AddSeconds(-createdSecondsAgo),
        EnqueuedAt = Now,
    };
}
