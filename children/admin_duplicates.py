"""The admin's list of likely duplicate children and the merge of two records. Mixed into `ChildAdmin`."""


class ChildDuplicatesAdminMixin:
    pass
