using CourseNotification;
using CourseNotification.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HttpGuardMiddleware>();
builder.Services.AddCourseNotification(builder.Configuration);
builder.Services.AddCourseNotificationTelemetry(builder.Configuration);
builder.Build().Run();
