"""公示台 (gongshi): a static-site transparency portal for 双随机、一公开 random inspections."""

__version__ = "0.1.0"
