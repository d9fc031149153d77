"""iam-tester: test AWS IAM policy documents, offline and live."""

__version__ = "0.1.0"

__all__ = ["__version__"]
