namespace Strait.RunsApi.StateMachines;

/// <summary>
/// Registered (as a singleton) where <see cref="Consumers.RunOutcomeBatchConsumer"/> consumes the runs' successful
/// outcomes: its presence tells <see cref="RunStateMachine"/> not to bind its own queue to them, so each is consumed once.
/// </summary>
public sealed class RunOutcomeBatching;
