variable "db_secret_arn" {
  type    = string
  default = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"
}

variable "image_tag" {
  type = string
}

locals {
  name   = "app"
  region = "eu-west-1"
  log_group = "/ecs/${local.name}"
}

resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  assume_role_policy = "{}"
}

resource "aws_ecs_task_definition" "app" {
  family                   = local.name
  execution_role_arn       = "arn:aws:iam::111122223333:role/app-execution"
  task_role_arn            = aws_iam_role.execution.arn
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512

  container_definitions = jsonencode([
    {
      name      = local.name
      image     = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:${var.image_tag}"
      essential = true
      secrets = [
        { name = "PLAIN", valueFrom = "arn:aws:ssm:eu-west-1:111122223333:parameter/app/plain" },
        { name = "DB", valueFrom = var.db_secret_arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = local.log_group
          awslogs-region        = local.region
          awslogs-stream-prefix = "app"
        }
      }
      mountPoints = [{ sourceVolume = "data", containerPath = "/data" }]
    }
  ])

  volume {
    name = "data"
    efs_volume_configuration {
      file_system_id     = "fs-0123456789abcdef0"
      transit_encryption = "ENABLED"
      authorization_config {
        access_point_id = "fsap-0123456789abcdef0"
        iam             = "ENABLED"
      }
    }
  }

  volume {
    name                 = "ebs"
    configured_at_launch = true
  }

  tags = {
    team_name = "payments"
  }
}
