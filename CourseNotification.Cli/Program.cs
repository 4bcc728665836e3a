return await CourseNotification.Cli.CliApp.RunAsync(args);
