using Strait.RunsApi.StateMachines;

namespace Strait.UnitTests.RunsApi.StateMachines;

public sealed class RunStatusesTests
{
    [Theory]
    [InlineData("TimedOut", "timed_out")]
    [InlineData("DeadLetter", "dead_letter")]
    [InlineData("SystemFailed", "system_failed")]
    [InlineData("Queued", "queued")]
    public void StateNamesAndStatuses_RoundTrip(string state, string status)
    {
        Assert.Equal(status, RunStatuses.FromStateName(state));
        Assert.Equal(state, RunStatuses.ToStateName(status));
    }

    [Fact]
    public void EveryStateOfTheMachine_IsAKnownStatus()
    {
        var states = typeof(RunStateMachine).GetProperties().Where(p => p.PropertyType == typeof(MassTransit.State) && p.DeclaringType == typeof(RunStateMachine)).Select(p => p.Name);

        Assert.All(states, s => Assert.Contains(RunStatuses.FromStateName(s), RunStatuses.All));
    }
}
