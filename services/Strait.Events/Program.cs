using Strait.Events.Data;
using Strait.Events.Extensions;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapEventsApi();
await app.RunOrMigrateAsync<EventsDbContext>(args);
