using Strait.Dispatcher.Data;
using Strait.Dispatcher.Extensions;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDispatcherApi();
await app.RunOrMigrateAsync<DispatcherDbContext>(args);
