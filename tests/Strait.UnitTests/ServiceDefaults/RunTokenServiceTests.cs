using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Strait.ServiceDefaults.Security;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class RunTokenServiceTests
{
    private static readonly RunTokenSigningKey Current = new() { Id = "k2", Key = "current-signing-key-0123456789abcdef" };
    private static readonly RunTokenSigningKey Previous = new() { Id = "k1", Key = "previous-signing-key-0123456789abcdef" };
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Issue_ThenValidate_ReturnsRunAndAttempt()
    {
        var service = Service(Current);
        var runId = Guid.CreateVersion7();

        var token = service.Issue(runId, attempt: 3);

        Assert.True(service.TryValidate(token, out var claims, out _));
        Assert.Equal(runId, claims!.RunId);
        Assert.Equal(3, claims.Attempt);
    }

    [Fact]
    public void Validate_AfterExpiry_Fails()
    {
        var service = Service(Current);
        var token = service.Issue(Guid.CreateVersion7(), 1, TimeSpan.FromMinutes(5));

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.False(service.TryValidate(token, out _, out var error));
        Assert.Equal("run token expired", error);
    }

    [Fact]
    public void Validate_TokenSignedWithRetiredKeyStillListed_Succeeds_AndUnlistedKeyFails()
    {
        var oldToken = Service(Previous).Issue(Guid.CreateVersion7(), 1);

        Assert.True(Service(Current, Previous).TryValidate(oldToken, out _, out _));
        Assert.False(Service(Current).TryValidate(oldToken, out _, out var error));
        Assert.Equal("invalid run token", error);
    }

    [Fact]
    public void Validate_TamperedPayload_Fails()
    {
        var service = Service(Current);
        var token = service.Issue(Guid.CreateVersion7(), 1);
        var other = service.Issue(Guid.CreateVersion7(), 1);
        var parts = token.Split('.');
        var forged = $"{parts[0]}.{other.Split('.')[1]}.{parts[2]}";

        Assert.False(service.TryValidate(forged, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    public void Validate_Garbage_FailsWithoutThrowing(string token) =>
        Assert.False(Service(Current).TryValidate(token, out _, out _));

    private RunTokenService Service(params RunTokenSigningKey[] keys) =>
        new(Options.Create(new RunTokenOptions { SigningKeys = [.. keys] }), time);
}
