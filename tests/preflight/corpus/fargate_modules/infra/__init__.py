"""Helpers the program composes: a network, IAM roles for tasks, an ALB-fronted service."""
