"""Reference data of the children registry, one module per code list: `ethnic` (ethnic groups and
their census shares), `circumstances` (groups and subgroups of special circumstances, which are
sensitive), `ages` (the age bands of the reports). Import from the list's module.

Pure data, no models and no database: the codes here are what `Child.ethnicity`, `Circumstance.group`
and `Circumstance.subgroup` store, so **a code, once used, never changes meaning and is never reused**.
Names may be corrected; codes may be added at the end; nothing is renumbered.

Sources:

- Ethnic groups: the General Statistics Office's list of Vietnam's ethnic groups (Danh mục các thành
  phần dân tộc Việt Nam, Quyết định 121-TCTK/PPCĐ ngày 02/3/1979), codes "01".."54" in its order.
  Beware: the later GSO list (Quyết định 1019/QĐ-TCTK, 2008) numbers the groups differently
  (04 Mường, 05 Khơ-me, 06 Hoa, ...); data imported from a system that uses it must be recoded.
- Population shares: the 2019 Population and Housing Census (Tổng điều tra dân số và nhà ở
  01/4/2019, kết quả toàn bộ), rounded to 0.01 %.
- Groups of children in special circumstances: Luật Trẻ em 2016 (102/2016/QH13), Điều 10 khoản 1,
  points a)..o); their subgroups: Nghị định 56/2017/NĐ-CP, Chương II Mục 1, Điều 3 (group a) to
  Điều 16 (group o), one article per group. See `Subgroup.checked` for which wordings were checked
  against a published copy of the decree and which must still be checked.
- Donation need areas are not here: they are `donations.models.NeedArea`.
"""
