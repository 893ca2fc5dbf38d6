//! Identity stitching: anonymous ids and user ids of one person into one customer.
//!
//! Identifiers are nodes of a graph (`a:ID` for anonymous ids, `u:ID` for user ids); an event
//! carrying both ids, a Segment `identify` and a Segment `alias` each add an edge. An alias's
//! `previousId` may be an old user id or an anonymous id, so it links both ways; its user side
//! is written `p:ID` (the same node as `u:ID`) so that it never names the customer. Every
//! connected component is one customer, named by its smallest user id, or by its smallest
//! anonymous id when it has no user id. The result depends only on the set of edges, never on
//! the order of imports or rows, so re-running it after each import is deterministic.

use std::collections::HashMap;

use polku_store::app_db::IdentityLink;

use crate::normalize::FxMap;

/// The stitched identities: for each identifier whose customer is not itself, its customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identities {
    anon: FxMap<String, String>,
    user: FxMap<String, String>,
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

impl Identities {
    /// Stitches the identity graph given by `links`.
    pub fn from_links<'a>(links: impl IntoIterator<Item = &'a IdentityLink>) -> Self {
        let mut index: FxMap<(bool, &'a str), usize> = FxMap::default();
        // Per node: is it a user id, its bare id, may it name the customer.
        let mut nodes: Vec<(bool, &'a str, bool)> = Vec::new();
        let mut edges: Vec<(usize, usize)> = Vec::new();
        let mut id = |n: &'a str, nodes: &mut Vec<(bool, &'a str, bool)>| -> usize {
            let (kind, bare) = n.split_at_checked(2).unwrap_or(("a:", n));
            let is_user = kind != "a:";
            let candidate = kind != "p:";
            let i = *index.entry((is_user, bare)).or_insert_with(|| {
                nodes.push((is_user, bare, false));
                nodes.len() - 1
            });
            nodes[i].2 |= candidate;
            i
        };
        for link in links {
            let a = id(&link.a, &mut nodes);
            let b = id(&link.b, &mut nodes);
            edges.push((a, b));
        }
        let mut uf = UnionFind {
            parent: (0..nodes.len()).collect(),
        };
        for (a, b) in edges {
            uf.union(a, b);
        }
        // The customer of each root: the smallest user id, else the smallest anonymous id.
        let mut best: FxMap<usize, (bool, &'a str)> = FxMap::default();
        for (i, (is_user, bare, candidate)) in nodes.iter().enumerate() {
            if !candidate {
                continue;
            }
            let root = uf.find(i);
            let key = (!is_user, *bare);
            best.entry(root)
                .and_modify(|b| {
                    if key < *b {
                        *b = key
                    }
                })
                .or_insert(key);
        }
        let mut out = Identities::default();
        for (i, (is_user, bare, _)) in nodes.iter().enumerate() {
            let Some((_, customer)) = best.get(&uf.find(i)) else {
                continue;
            };
            if bare == customer {
                continue;
            }
            if *is_user {
                out.user.insert((*bare).to_owned(), (*customer).to_owned());
            } else {
                out.anon.insert((*bare).to_owned(), (*customer).to_owned());
            }
        }
        out
    }

    /// Rebuilds from the stored node map (`a:ID`/`u:ID` → customer).
    #[must_use]
    pub fn from_node_map(map: &HashMap<String, String>) -> Self {
        let mut out = Identities::default();
        for (node, customer) in map {
            if let Some(bare) = node.strip_prefix("a:") {
                out.anon.insert(bare.to_owned(), customer.clone());
            } else if let Some(bare) = node.strip_prefix("u:") {
                out.user.insert(bare.to_owned(), customer.clone());
            }
        }
        out
    }

    /// The node map for storage.
    #[must_use]
    pub fn to_node_map(&self) -> HashMap<String, String> {
        self.anon
            .iter()
            .map(|(k, v)| (format!("a:{k}"), v.clone()))
            .chain(self.user.iter().map(|(k, v)| (format!("u:{k}"), v.clone())))
            .collect()
    }

    /// The customer of an event with these ids: the user id's customer when there is a user
    /// id, else the anonymous id's.
    #[must_use]
    pub fn customer<'a>(
        &'a self,
        anonymous_id: Option<&'a str>,
        user_id: Option<&'a str>,
    ) -> Option<&'a str> {
        if let Some(u) = user_id {
            return Some(self.user.get(u).map_or(u, String::as_str));
        }
        anonymous_id.map(|a| self.anon.get(a).map_or(a, String::as_str))
    }

    /// How many identifiers map to a customer other than themselves.
    #[must_use]
    pub fn len(&self) -> usize {
        self.anon.len() + self.user.len()
    }

    /// Whether no identifiers are merged.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use polku_store::app_db::{anon_node, user_node};

    use super::*;

    fn link(a: &str, b: &str) -> IdentityLink {
        let node = |s: &str| {
            if let Some(u) = s.strip_prefix("u=") {
                user_node(u)
            } else {
                anon_node(s)
            }
        };
        IdentityLink::new(node(a), node(b))
    }

    #[test]
    fn anonymous_ids_join_their_user() {
        let ids = Identities::from_links(&[link("d1", "u=anni"), link("d2", "u=anni")]);
        assert_eq!(ids.customer(Some("d1"), None), Some("anni"));
        assert_eq!(ids.customer(Some("d2"), None), Some("anni"));
        assert_eq!(ids.customer(Some("d3"), None), Some("d3"));
        assert_eq!(ids.customer(None, Some("bob")), Some("bob"));
        assert_eq!(ids.customer(None, None), None);
    }

    #[test]
    fn shared_devices_and_aliases_merge_transitively_to_the_smallest_user() {
        // d1 seen with two user ids (alias-like), d2 with the second.
        let links = [
            link("d1", "u=zed"),
            link("d1", "u=amy"),
            link("d2", "u=zed"),
            link("d9", "d8"),
        ];
        let ids = Identities::from_links(&links);
        for who in [
            ids.customer(Some("d2"), None),
            ids.customer(None, Some("zed")),
            ids.customer(Some("d1"), None),
        ] {
            assert_eq!(who, Some("amy"));
        }
        // A component of anonymous ids only takes the smallest anonymous id.
        assert_eq!(ids.customer(Some("d9"), None), Some("d8"));
    }

    #[test]
    fn an_alias_previous_id_never_names_the_customer() {
        let links = [
            IdentityLink::new(anon_node("anon-1"), user_node("user-9")),
            IdentityLink::new("p:anon-2".into(), user_node("user-9")),
            IdentityLink::new(anon_node("anon-2"), user_node("user-9")),
        ];
        let ids = Identities::from_links(&links);
        assert_eq!(ids.customer(Some("anon-2"), None), Some("user-9"));
        assert_eq!(ids.customer(None, Some("anon-2")), Some("user-9"));
        assert_eq!(ids.customer(Some("anon-1"), None), Some("user-9"));
    }

    #[test]
    fn the_result_ignores_link_order() {
        let mut links = vec![
            link("d1", "u=b"),
            link("d2", "u=a"),
            link("d2", "d1"),
            link("d3", "u=c"),
            link("d4", "d5"),
        ];
        let first = Identities::from_links(&links);
        links.reverse();
        assert_eq!(Identities::from_links(&links), first);
        links.swap(0, 3);
        assert_eq!(Identities::from_links(&links), first);
        assert_eq!(Identities::from_node_map(&first.to_node_map()), first);
    }
}
