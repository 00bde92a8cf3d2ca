using Hub.Server;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddNotificationHub(builder.Configuration);

var app = builder.Build();
app.MapNotificationHub();
app.Run();
