//! `FieldMap`: an insertion-ordered name → entry map for headers, query parameters and cookies.
//!
//! A `Vec` of pairs rather than a hash map because the order in which CloudFront lists headers
//! and parameters is the order they are forwarded in, and maps here hold a handful of entries.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An insertion-ordered map from names to entries; serialises as a JSON object.
///
/// Names are unique: inserting an existing name replaces its entry in place, and when a JSON
/// object repeats a key the last one wins, as in JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap<T>(Vec<(String, T)>);

impl<T> FieldMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        FieldMap(Vec::new())
    }

    /// The entry stored under `name`, compared exactly (callers lower-case header names).
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Mutable access to the entry stored under `name`.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.0.iter_mut().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Stores `entry` under `name`, replacing an existing entry in place (keeping its position).
    pub fn insert(&mut self, name: impl Into<String>, entry: T) {
        let name = name.into();
        match self.get_mut(&name) {
            Some(slot) => *slot = entry,
            None => self.0.push((name, entry)),
        }
    }

    /// Removes and returns the entry stored under `name`.
    pub fn remove(&mut self, name: &str) -> Option<T> {
        let index = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(index).1)
    }

    /// Name/entry pairs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map holds no names.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Default for FieldMap<T> {
    fn default() -> Self {
        FieldMap::new()
    }
}

impl<T> FromIterator<(String, T)> for FieldMap<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        let mut map = FieldMap::new();
        for (name, entry) in iter {
            map.insert(name, entry);
        }
        map
    }
}

impl<T: Serialize> Serialize for FieldMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, entry) in &self.0 {
            map.serialize_entry(name, entry)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for FieldMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldMapVisitor(PhantomData))
    }
}

struct FieldMapVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for FieldMapVisitor<T> {
    type Value = FieldMap<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of named entries")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = FieldMap::new();
        while let Some((name, entry)) = access.next_entry::<String, T>()? {
            map.insert(name, entry);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_in_insertion_order() {
        let map: FieldMap<u8> = [("b".to_owned(), 1), ("a".to_owned(), 2)]
            .into_iter()
            .collect();
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"b":1,"a":2}"#);
    }

    #[test]
    fn inserting_an_existing_name_replaces_it_in_place() {
        let mut map = FieldMap::new();
        map.insert("a", 1);
        map.insert("b", 2);
        map.insert("a", 3);
        let pairs: Vec<_> = map.iter().collect();
        assert_eq!(pairs, vec![("a", &3), ("b", &2)]);
    }

    #[test]
    fn removing_returns_the_entry_and_forgets_the_name() {
        let mut map = FieldMap::new();
        map.insert("a", 1);
        assert_eq!(map.remove("a"), Some(1));
        assert_eq!(map.remove("a"), None);
        assert!(map.is_empty());
    }

    #[test]
    fn deserialises_from_an_object_keeping_its_order() {
        let map: FieldMap<u8> = serde_json::from_value(json!({"z": 1, "y": 2})).unwrap();
        assert_eq!(map.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["z", "y"]);
        assert_eq!(map.get("y"), Some(&2));
        assert_eq!(map.len(), 2);
    }
}
