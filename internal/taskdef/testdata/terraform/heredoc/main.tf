resource "aws_ecs_task_definition" "win" {
  family             = "win"
  execution_role_arn = "arn:aws:iam::111122223333:role/win-execution"

  runtime_platform {
    operating_system_family = "WINDOWS_SERVER_2019_CORE"
    cpu_architecture        = "X86_64"
  }

  container_definitions = <<DEFS
[
  {
    "name": "web",
    "image": "mcr.microsoft.com/windows/servercore/iis",
    "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:111122223333:secret:hub-AbCdEf"},
    "mountPoints": [{"sourceVolume": "share", "containerPath": "C:\\share"}]
  }
]
DEFS

  volume {
    name = "share"
    fsx_windows_file_server_volume_configuration {
      file_system_id = "fs-0123456789abcdef0"
      root_directory = "\\data"
      authorization_config {
        credentials_parameter = "arn:aws:ssm:us-east-1:111122223333:parameter/fsx-creds"
        domain                = "corp.example.com"
      }
    }
  }
}

resource "aws_ecs_task_definition" "unknown" {
  family                = "unknown"
  container_definitions = data.template_file.defs.rendered
}
