using Strait.SdkIngest.Data;
using Strait.SdkIngest.Extensions;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSdkIngestApi();
await app.RunOrMigrateAsync<IngestDbContext>(args);
