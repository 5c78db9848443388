using Strait.RunsApi.Data;
using Strait.RunsApi.Extensions;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRunsApi();
await app.RunOrMigrateAsync<RunsDbContext>(args);
