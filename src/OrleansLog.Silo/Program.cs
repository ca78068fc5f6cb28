// The OrleansLog broker's entry point; see SiloHost.
return await OrleansLog.Silo.SiloHost.RunAsync(args);
