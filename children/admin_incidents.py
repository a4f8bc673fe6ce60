"""The admin of incidents (vụ việc): visible only with the sensitive permission."""
