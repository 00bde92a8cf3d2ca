using Hub.Server;
using Hub.Server.Configuration;
using Hub.Server.LivePage;

return await HubCommandLine.RunAsync(
    args,
    static args =>
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddNotificationHub(builder.Configuration);
        return builder.Build();
    },
    static app =>
    {
        app.UseLivePage();
        app.MapNotificationHub();
    });
