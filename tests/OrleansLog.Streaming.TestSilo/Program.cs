// The broker with the stream test grains loaded (they are referenced, so Orleans finds them).
return await OrleansLog.Silo.SiloHost.RunAsync(args);
