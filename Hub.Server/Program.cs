using Hub.Server;
using Hub.Server.Configuration;
using Hub.Server.Hosting;

// Before anything else runs: the runtime reads these settings on first use.
RuntimeEnvironmentDefaults.ApplyToProcess();

return await HubCommandLine.RunAsync(args, HubApplication.Build);
