using OrleansLog.Cli;

return await CliApplication.RunAsync(args, CliConsole.CreateSystem());
