using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/api-keys").RequireScope(Scopes.ApiKeysManage);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapDelete("/{keyId}", RevokeAsync);

        // Other services verify keys here; only trusted internal callers may ask.
        app.MapPost(RemoteApiKeyStore.VerifyPath, VerifyAsync).RequireInternalCaller();
        return app;
    }

    public sealed record CreateApiKeyRequest(string? ProjectId, string? Name, List<string>? Scopes, int? ExpiresInDays);

    public sealed record CreatedApiKey(
        Guid Id, string ProjectId, string Name, string Key, string KeyPrefix, IReadOnlyList<string> Scopes,
        DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);

    public sealed record ApiKeyResponse(
        Guid Id, string ProjectId, string Name, string KeyPrefix, IReadOnlyList<string> Scopes,
        DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt)
    {
        public static ApiKeyResponse From(ApiKey k) => new(k.Id, k.ProjectId, k.Name, k.KeyPrefix, k.Scopes, k.ExpiresAt, k.RevokedAt, k.CreatedAt);
    }

    private static async Task<IResult> CreateAsync(CreateApiKeyRequest body, Caller caller, RunsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.ProjectId) || string.IsNullOrWhiteSpace(body.Name))
        {
            var missing = new List<string>();
            if (string.IsNullOrEmpty(body.ProjectId)) { missing.Add("project_id: failed on 'required'"); }
            if (string.IsNullOrWhiteSpace(body.Name)) { missing.Add("name: failed on 'required'"); }
            return ApiResults.Validation(missing);
        }

        if (!CallerProject.TryResolve(caller, body.ProjectId, out var projectId, out var error))
        {
            return error!;
        }

        if (body.Name.Length > 255)
        {
            return ApiResults.BadRequest("name must be at most 255 characters");
        }

        var scopes = body.Scopes?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (scopes.Count == 0)
        {
            return ApiResults.BadRequest("scopes must contain at least one explicit permission");
        }

        var unknown = scopes.Where(s => !Scopes.Known.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            return ApiResults.BadRequest("unknown scope", unknown.Select(s => $"scopes: unknown scope '{s}'").ToList());
        }

        // A key can never hand out more than its creator holds.
        var beyond = scopes.Where(s => !CanGrant(caller, s)).ToList();
        if (beyond.Count > 0)
        {
            return ApiResults.Forbidden($"cannot grant scopes the caller does not hold: {string.Join(", ", beyond)}");
        }

        if (body.ExpiresInDays is < 1 or > 36500)
        {
            return ApiResults.BadRequest("expires_in_days must be between 1 and 36500");
        }

        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct))
        {
            return ApiResults.NotFound("project not found");
        }

        var now = time.GetUtcNow();
        var secret = ApiKeyFormat.Generate();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = projectId,
            Name = body.Name,
            KeyHash = ApiKeyFormat.Hash(secret),
            KeyPrefix = ApiKeyFormat.DisplayPrefix(secret),
            Scopes = scopes,
            ExpiresAt = body.ExpiresInDays is { } days ? now.AddDays(days) : null,
            CreatedAt = now,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/api-keys/{key.Id}",
            new CreatedApiKey(key.Id, key.ProjectId, key.Name, secret, key.KeyPrefix, key.Scopes, key.ExpiresAt, key.CreatedAt));
    }

    private static bool CanGrant(Caller caller, string scope) =>
        caller.Has(Scopes.All) || (scope != Scopes.All && caller.Has(scope));

    private static async Task<IResult> ListAsync(HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        if (!CallerProject.TryResolve(caller, request.Query["project_id"], out var projectId, out var error)
            || !PageRequest.TryParse(request, out var page, out error))
        {
            return error!;
        }

        var rows = await db.ApiKeys.AsNoTracking().Where(k => k.ProjectId == projectId)
            .NewestFirst(page, k => k.CreatedAt, k => k.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, k => (k.CreatedAt, k.Id), ApiKeyResponse.From));
    }

    private static async Task<IResult> RevokeAsync(string keyId, Caller caller, RunsDbContext db, TimeProvider time, DbApiKeyStore keys,
        CancellationToken ct)
    {
        var notFound = ApiResults.NotFound("api key not found or already revoked");
        if (!Guid.TryParse(keyId, out var id))
        {
            return notFound;
        }

        var hash = await db.ApiKeys
            .Where(k => k.Id == id && k.RevokedAt == null && (caller.IsInternal && caller.ProjectId == null || k.ProjectId == caller.ProjectId))
            .Select(k => k.KeyHash).FirstOrDefaultAsync(ct);
        var revoked = hash is null ? 0 : await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, time.GetUtcNow()), ct);
        if (revoked == 0)
        {
            return notFound;
        }

        keys.Forget(hash!);
        return TypedResults.Ok(new { status = "revoked" });
    }

    private static async Task<IResult> VerifyAsync(RemoteApiKeyStore.VerifyRequest body, IApiKeyStore keys, CancellationToken ct)
    {
        var identity = await keys.FindActiveAsync(body.KeyHash, ct);
        return identity is null
            ? ApiResults.NotFound("api key not found")
            : TypedResults.Ok(new RemoteApiKeyStore.VerifyResponse(identity.KeyId, identity.ProjectId, identity.Scopes));
    }
}
