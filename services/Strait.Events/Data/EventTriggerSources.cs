namespace Strait.Events.Data;

/// <summary>What waits on a trigger.</summary>
public static class EventTriggerSources
{
    public const string JobRun = "job_run";
    public const string WorkflowStep = "workflow_step";
}
