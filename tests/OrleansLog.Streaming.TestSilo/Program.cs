// The broker with the stream test grains loaded: referenced here, and an application part through
// Orleans' code generator, so the silo finds the grains and their implicit subscriptions.
System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(OrleansLog.Streaming.TestGrains.SinkSubscriberGrain).TypeHandle);
return await OrleansLog.Silo.SiloHost.RunAsync(args);
