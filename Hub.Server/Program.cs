using Hub.Server;

HubApplication.Build(args).Run();
