using Hub.Server;
using Hub.Server.Configuration;

return await HubCommandLine.RunAsync(args, HubApplication.Build);
