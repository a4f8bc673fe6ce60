"""The public site: the home page, campaigns, needs, transparency, the honour roll, news, the sponsor's
page, robots.txt and the sitemap, with their page cache. It reads the domain apps through their
public selectors and writes nothing."""
