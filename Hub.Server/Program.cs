using Hub.Server;
using Hub.Server.LivePage;

var builder = HubWebApplication.CreateBuilder(args);
builder.Services.AddNotificationHub(builder.Configuration);

var app = builder.Build();
app.UseLivePage();
app.MapNotificationHub();
app.Run();
