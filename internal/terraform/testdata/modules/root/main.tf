variable "env" { default = "prod" }

module "iam" {
  source = "./modules/iam"
  name   = "web-${var.env}"
}

module "svc" {
  for_each       = toset(["api", "worker"])
  source         = "./modules/svc"
  name           = each.key
  execution_role = module.iam.role_arn
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
}

resource "aws_ssm_parameter" "token" {
  name  = "/${var.env}/token"
  type  = "SecureString"
  value = "unused"
}

output "task_families" { value = { for k, m in module.svc : k => m.family } }
