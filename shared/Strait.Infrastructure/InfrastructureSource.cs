namespace Strait.Infrastructure;

/// <summary>Where PostgreSQL and RabbitMQ came from, in the order they are tried.</summary>
public enum InfrastructureSource
{
    /// <summary>Both connection strings were given through <c>ConnectionStrings__*</c> environment variables.</summary>
    Environment,

    /// <summary>Started as containers through Testcontainers because a Docker engine answered.</summary>
    Containers,

    /// <summary>Started as private processes from the installed server binaries.</summary>
    LocalProcesses,
}
