namespace Strait.Infrastructure;

/// <summary>Neither the environment, a Docker engine nor the installed binaries can provide a server.</summary>
public sealed class InfrastructureUnavailableException : Exception
{
    public InfrastructureUnavailableException()
        : base("PostgreSQL or RabbitMQ is unavailable.")
    {
    }

    public InfrastructureUnavailableException(string message)
        : base(message)
    {
    }

    public InfrastructureUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
